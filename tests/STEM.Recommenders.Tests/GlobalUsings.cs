global using FluentAssertions;
global using STEM.Recommenders.Tests.Infrastructure;
global using Xunit;
