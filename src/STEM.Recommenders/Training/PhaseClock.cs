using System.Diagnostics;

namespace STEM.Recommenders.Training;

/// <summary>
/// Wall and process CPU time per named phase, taken lap by lap: each <see cref="Lap"/> charges the
/// time since the previous lap to the phase it names. Phases are listed in the order first seen.
/// </summary>
/// <remarks>
/// On the CPU every LibTorch operation returns when its work is done, so a lap between two
/// operations measures the ones before it. CPU time is the whole process's (all intra-op threads),
/// so CPU ÷ (wall · threads) is how busy the thread pool was in the phase.
/// </remarks>
internal sealed class PhaseClock
{
    private readonly Stopwatch _clock = new();
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<(string Name, double WallMs, double CpuMs)> _phases = new();
    private TimeSpan _lastWall;
    private TimeSpan _lastCpu;

    /// <summary>The phases in first-seen order, with their summed wall and CPU milliseconds.</summary>
    public IReadOnlyList<(string Name, double WallMs, double CpuMs)> Phases => _phases;

    /// <summary>Starts (or restarts) the laps here without charging anything.</summary>
    public void Start()
    {
        _clock.Start();
        _lastWall = _clock.Elapsed;
        _lastCpu = Environment.CpuUsage.TotalTime;
    }

    /// <summary>Charges the time since the previous lap to <paramref name="phase"/>.</summary>
    public void Lap(string phase)
    {
        var wall = _clock.Elapsed;
        var cpu = Environment.CpuUsage.TotalTime;
        if (!_index.TryGetValue(phase, out var i))
        {
            i = _phases.Count;
            _index[phase] = i;
            _phases.Add((phase, 0, 0));
        }

        var (name, wallMs, cpuMs) = _phases[i];
        _phases[i] = (name, wallMs + (wall - _lastWall).TotalMilliseconds, cpuMs + (cpu - _lastCpu).TotalMilliseconds);
        _lastWall = wall;
        _lastCpu = cpu;
    }

    /// <summary>Forgets every phase (after warm-up steps).</summary>
    public void Reset()
    {
        _index.Clear();
        _phases.Clear();
    }
}
