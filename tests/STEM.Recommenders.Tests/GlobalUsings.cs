global using FluentAssertions;
global using STEM.Recommenders.Tests.Infrastructure;
global using STEM.Recommenders.Testing;
global using Xunit;
