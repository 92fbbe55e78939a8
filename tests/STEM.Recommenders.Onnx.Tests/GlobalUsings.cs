global using FluentAssertions;
global using STEM.Recommenders.Testing;
global using Xunit;
