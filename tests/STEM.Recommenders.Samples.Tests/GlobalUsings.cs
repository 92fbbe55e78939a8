global using FluentAssertions;
global using STEM.Recommenders.Samples.Tests.Infrastructure;
global using Xunit;
