using System.Diagnostics;

namespace STEM.Recommenders.Tests.Architecture;

/// <summary>
/// eng/install-libstdcxx.sh --dry-run against a fake Debian 12 /etc (STEM_LIBSTDCXX_ROOT): it says
/// what would change, uses the configured mirror, finds an existing trixie source, changes nothing.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly string _root = TestPaths.TempDirectory();

    public InstallScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc", "apt", "sources.list.d"));
        Directory.CreateDirectory(Path.Combine(_root, "etc", "apt", "preferences.d"));
        File.WriteAllText(Path.Combine(_root, "etc", "os-release"), "ID=debian\nVERSION_CODENAME=bookworm\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    }

    public void Dispose() => TestPaths.Delete(_root);

    [Fact]
    public void A_dry_run_uses_the_configured_deb822_mirror_says_what_moves_and_changes_nothing()
    {
        Write("etc/apt/sources.list.d/debian.sources", "Types: deb\nURIs: http://security.example.org/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n");
        var before = Files();

        var (code, output) = Run("--dry-run");

        code.Should().Be(0, output);
        output.Should().Contain("Dry run: nothing is changed.")
            .And.Contain($"would write {_root}/etc/apt/sources.list.d/stem-trixie.sources:")
            .And.Contain("URIs: http://mirror.example.org/debian\n")
            .And.Contain("Pin-Priority: 100")
            .And.Contain("base-files moves too and the system then reports\nitself as Debian 13")
            .And.Contain("apt-get install -t trixie build-essential libc6-dev locales")
            .And.Contain("Debian 13 or Ubuntu 24.04 base image")
            .And.Contain("would run: env DEBIAN_FRONTEND=noninteractive")
            .And.NotContain("deb.debian.org");
        Files().Should().Equal(before, "a dry run writes nothing");
    }

    [Fact]
    public void A_trixie_source_in_the_classic_sources_list_is_reused()
    {
        Write("etc/apt/sources.list", "deb http://mirror.example.org/debian bookworm main\ndeb http://mirror.example.org/debian trixie main\n");

        var (code, output) = Run("--dry-run");

        code.Should().Be(0, output);
        output.Should().Contain($"A trixie source is already configured in {_root}/etc/apt/sources.list; using it.")
            .And.NotContain("stem-trixie.sources");
    }

    [Fact]
    public void A_one_line_bookworm_source_gives_the_mirror_and_trixie_security_alone_is_not_trixie()
    {
        Write("etc/apt/sources.list", "# deb http://old.example.org/debian bookworm main\ndeb [arch=amd64] http://one.example.org/debian bookworm main contrib\ndeb http://one.example.org/debian-security trixie-security main\n");

        var (code, output) = Run("--dry-run");

        code.Should().Be(0, output);
        output.Should().Contain("Adding the trixie suite from the configured mirror http://one.example.org/debian.")
            .And.Contain("URIs: http://one.example.org/debian\n");
    }

    [Fact]
    public void An_unknown_argument_is_refused()
    {
        var (code, output) = Run("--yes");

        code.Should().Be(2);
        output.Should().Contain("unknown argument '--yes'");
    }

    private void Write(string relative, string text) => File.WriteAllText(Path.Combine(_root, relative), text);

    private string[] Files() => Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    private (int Code, string Output) Run(string argument)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(TestPaths.RepositoryRoot, "eng", "install-libstdcxx.sh"), argument])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["STEM_LIBSTDCXX_ROOT"] = _root;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(30_000).Should().BeTrue("the script finishes");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
