global using FluentAssertions;
global using STEM.Recommenders.Cli.Tests.Infrastructure;
global using STEM.Recommenders.Testing;
global using Xunit;
