namespace STEM.Recommenders.Benchmarks;

internal static class Usage
{
    public const string Text = """
        Usage: STEM.Recommenders.Benchmarks <command> [options]

        Commands:
          data   [--log F] [--users F] [--videos F] [--repeat N] [--threads N] [--print-layout] [--parquet DIR]
                 Read, join (KuaiRandPreset.LoadAsync) and encode (splits.Encode()) the KuaiRand log
                 N times (default 5) after one warm-up; prints rows/s, median and min wall time,
                 peak working set and GC allocated bytes. Default files: ../shared/data/kuairand-pure/
                 next to the repository root. Target: >= 100,000 rows/s. --parquet DIR: the same
                 files as typed Parquet (integers int64, numbers double, the rest strings), written
                 to DIR once, then read with ParquetTableReader.

          train  [--models stem-net,mmoe,ple,shared-bottom,single-task] [--batch-size 4096]
                 [--steps N] [--warmup N] [--precision float32|bf16] [--threads N]
                 [--data sample|shared|DIR]
                 Training throughput of the real training step (forward, per-task loss, backward,
                 row-sparse Adam step, zero-grad) with default (paper) model sizes; prints samples/s,
                 ms/step and peak working set per model. Defaults: 50 steps after 5 warm-up steps,
                 shared data. Anchor: official PyTorch STEM-Net ~1,900 samples/s; target >= 1.5x.

          limit  [--models stem-net,mmoe,ple] [--batch-size 4096] [--steps 30] [--warmup 3]
                 [--precision float32|bf16] [--threads N] [--data sample|shared|DIR] [--square 4096]
                 [--no-bf16] [--gemm-seconds MS] [--experts batched|separate|calibrate]
                 Training against the machine's own limit: GEMM GFLOP/s of every expert shape (X·W,
                 dY·Wᵀ, Xᵀ·dY at batch rows) in float32 and bfloat16 plus a square product (0: none),
                 the bfloat16 calibration, each model's training FLOP per sample from its built layers,
                 and the real training step's samples/s, GFLOP/s and fraction of the FLOP-weighted
                 expert-shape peak and of the square peak; CPU model and flags. Target: STEM-Net >= 70 %.
                 --experts: ExpertPool.Execution for the steps (calibrate: ExpertPool.Calibrate picks).

          breakdown [--batch-size 4096] [--steps 20] [--warmup 3] [--precision float32|bf16]
                 [--threads N] [--data sample|shared|DIR] [--experts batched|separate|calibrate]
                 [--compare-experts ROUNDS]
                 STEM-Net's training step phase by phase: batch, embedding, expert gather, experts,
                 gates, mixing, towers, loss, each backward part, optimizer, zero-grad, dispose scope;
                 ms and % of the step, CPU ms and thread-pool busy %, managed allocation and GC per
                 step, and the uninstrumented step for comparison. --compare-experts N adds an A/B of
                 batched against separate expert products (N alternating rounds, wall and CPU ms/step).

          grow   [--source DIR] [--output DIR] [--copies 87]
                 The shared KuaiRand week repeated (87 copies: 10,054,938 rows) with users and videos
                 renamed per copy, log and side tables; deterministic.

          read   [DIR] [--stage sep|read|side|split|fit|encode]
                 The streamed KuaiRand path cut at a stage; rows/s and CPU µs per row.

          cache  [--data DIR] [--cache DIR] [--chunk-rows N]
                 Build the encoded cache (fit pass + encode pass); rows/s, bytes/row, peak RSS.

          loader [--cache DIR] [--batch 4096] [--steps N]
                 Shuffled batches from the training cache alone; samples/s, peak RSS.

          cache-train [--cache DIR] [--batch 4096] [--steps N] [--threads N] [--precision float32|bf16]
                 STEM-Net (default sizes) trained from the cache; samples/s, peak RSS.

          pretrain [--encoders small,default,large] [--batch-size 128] [--steps 30] [--warmup 5]
                 [--repeat 3] [--threads N] [--data shared|sample|DIR | --synthetic USERS] [--breakdown]
                 CLUE pretraining throughput through Pretrainer.Fit (two views, InfoNCE, backward,
                 clip, Adam; no evaluation) per encoder size on the KuaiRand week's training days
                 (20220425..29; the bundled sample when the shared data is absent) or a synthetic
                 log; prints pairs/s (median of the repeats), ms/step, the ClueCompute.TrainingFlops
                 rate next to a 1024^2 matmul's GFLOP/s, peak RSS and GC heap per encoder;
                 --breakdown adds ms per part of the step (batch, forward, loss, backward, clip, adam).

          probe  --encoder DIR [--data DIR] [--days yyyyMMdd,...] [--seeds 3] [--attributes a,b,...] [--output FILE]
                 User-attribute probes of frozen CLUE vectors: an MLP on the vectors of the pretraining
                 split's training users predicts each attribute of user_features for the other users;
                 the pretrained encoder against a randomly initialised one of the same size and the
                 mean of the pretrained token embeddings. Prints accuracy (majority rate beside it)
                 and macro AUC, mean ± std over seeds.

          serve  [--requests 2000] [--warmup 200] [--batches 256,8192] [--repeats 5] [--data DIR]
                 Serving: TorchSharp Predictor vs OnnxPredictor (ONNX Runtime) on STEM-Net at paper
                 sizes over the sample's pipeline: single-row latency p50/p99/p99.9 with 1 intra-op
                 thread, rows/s with 2 concurrent callers, batched rows/s with 2 threads (as a
                 fraction of the 2-thread float32 GEMM rate), memory per loaded model, and the copy
                 bandwidth and GEMM rate the bounds use.

          micro  [--threads N] [BenchmarkDotNet arguments]
                 BenchmarkDotNet micro-benchmarks: ExpertPool vs a loop of separate experts, and one
                 forward+backward per 4096-row batch for every catalog model on a KuaiRand-like
                 layout. Everything after 'micro' goes to BenchmarkSwitcher, e.g.
                 micro --filter *ExpertPool*      micro --filter * --job dry
        """;
}
