namespace STEM.Recommenders.Benchmarks;

internal static class Usage
{
    public const string Text = """
        Usage: STEM.Recommenders.Benchmarks <command> [options]

        Commands:
          data   [--log F] [--users F] [--videos F] [--repeat N] [--threads N] [--print-layout]
                 Read, join (KuaiRandPreset.LoadAsync) and encode (splits.Encode()) the KuaiRand log
                 N times (default 5) after one warm-up; prints rows/s, median and min wall time,
                 peak working set and GC allocated bytes. Default files: ../shared/data/kuairand-pure/
                 next to the repository root. Target: >= 100,000 rows/s.

          train  [--models stem-net,mmoe,ple,shared-bottom,single-task] [--batch-size 4096]
                 [--steps N] [--warmup N] [--precision float32|bf16] [--threads N]
                 [--data sample|shared|DIR]
                 Training throughput of the real training step (forward, per-task loss, backward,
                 row-sparse Adam step, zero-grad) with default (paper) model sizes; prints samples/s,
                 ms/step and peak working set per model. Defaults: 50 steps after 5 warm-up steps,
                 shared data. Anchor: official PyTorch STEM-Net ~1,900 samples/s; target >= 1.5x.

          micro  [--threads N] [BenchmarkDotNet arguments]
                 BenchmarkDotNet micro-benchmarks: ExpertPool vs a loop of separate experts, and one
                 forward+backward per 4096-row batch for every catalog model on a KuaiRand-like
                 layout. Everything after 'micro' goes to BenchmarkSwitcher, e.g.
                 micro --filter *ExpertPool*      micro --filter * --job dry
        """;
}
