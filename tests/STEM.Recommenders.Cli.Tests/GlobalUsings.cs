global using FluentAssertions;
global using STEM.Recommenders.Cli.Tests.Infrastructure;
global using Xunit;
