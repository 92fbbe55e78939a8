using System.Diagnostics;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training.Weighting;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// Where a STEM-Net training step's time goes: the step of the training benchmark (batch, forward,
/// per-task loss, weighting backward, optimizer step, zero-grad, dispose scope) with a lap between
/// the parts of the forward pass and a <see cref="BackwardLap"/> at each part's boundary in the
/// graph, so the backward pass is cut at the same places.
/// </summary>
/// <remarks>
/// The forward pass is a timed copy of <c>StemLayerStack.forward</c> (with ExpertPool's, AfTbGate's
/// and TaskTower's forward inlined): the same operations in the same order on the model's own
/// modules, so its values equal the model's (a test holds it). The production path is untouched.
/// A backward phase is named after the forward part whose gradient LibTorch computes between two
/// laps; the names assume LibTorch's order, the reverse of the order of creation.
/// </remarks>
internal static class StemStepBreakdown
{
    public const string Batch = "batch: rows taken from the data set";
    public const string Embedding = "forward: embedding lookup and views";
    public const string Gather = "forward: expert input gather";
    public const string Experts = "forward: experts";
    public const string Gates = "forward: gate inputs, gate MLPs, softmax";
    public const string Mixing = "forward: mixing";
    public const string Towers = "forward: towers";
    public const string Loss = "forward: loss";
    public const string LossBackward = "backward: loss";
    public const string TowersBackward = "backward: towers";
    public const string MixingBackward = "backward: mixing";
    public const string GatesBackward = "backward: gate MLPs, softmax";
    public const string GateInputsBackward = "backward: gate inputs";
    public const string ExpertsBackward = "backward: experts";
    public const string GatherBackward = "backward: expert input gather";
    public const string EmbeddingBackward = "backward: embedding views and lookup";
    public const string Optimizer = "optimizer step";
    public const string ZeroGrad = "zero grad";
    public const string Dispose = "dispose scope";

    /// <summary>Every phase, in the order of a step.</summary>
    public static IReadOnlyList<string> PhaseNames { get; } =
    [
        Batch, Embedding, Gather, Experts, Gates, Mixing, Towers, Loss,
        LossBackward, TowersBackward, MixingBackward, GatesBackward, GateInputsBackward, ExpertsBackward, GatherBackward, EmbeddingBackward,
        Optimizer, ZeroGrad, Dispose,
    ];

    /// <summary>Runs warm-up steps, then timed steps, and returns the mean per step.</summary>
    /// <param name="model">A STEM-Net in training mode.</param>
    /// <param name="optimizer">Its optimizer.</param>
    /// <param name="weighting">The loss weighting, attached to the model.</param>
    /// <param name="batchAt">The batch of step s, with its tensors in the current dispose scope.</param>
    /// <param name="warmup">Untimed steps first.</param>
    /// <param name="steps">Timed steps.</param>
    public static StepBreakdown Measure(StemNet model, MultiTaskOptimizer optimizer, ILossWeighting weighting, Func<long, Batch> batchAt, int warmup, int steps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(weighting);
        ArgumentNullException.ThrowIfNull(batchAt);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var clock = new PhaseClock();
        double wallMs = 0, cpuMs = 0;
        long allocated = 0;
        int[] collections = [0, 0, 0];
        for (var s = 0L; s < warmup + steps; s++)
        {
            var timed = s >= warmup;
            if (s == warmup)
            {
                clock.Reset();
            }

            var allocatedBefore = GC.GetTotalAllocatedBytes();
            int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            clock.Start();
            using (var scope = NewDisposeScope())
            {
                var batch = batchAt(s);
                clock.Lap(Batch);
                var output = TimedForward(model, batch.Features, clock);
                var losses = MultiTaskLoss.PerTask(output.Logits, batch.Labels, batch.LabelMask);
                var auxiliary = model.AuxiliaryLoss(output, batch.Labels, batch.LabelMask);
                clock.Lap(Loss);
                weighting.Backward(losses, auxiliary);
                clock.Lap(EmbeddingBackward);
                optimizer.Step();
                clock.Lap(Optimizer);
                optimizer.ZeroGrad();
                clock.Lap(ZeroGrad);
            }

            clock.Lap(Dispose);
            if (timed)
            {
                wallMs += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                cpuMs += (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds;
                allocated += GC.GetTotalAllocatedBytes() - allocatedBefore;
                for (var g = 0; g < 3; g++)
                {
                    collections[g] += GC.CollectionCount(g) - collectionsBefore[g];
                }
            }
        }

        var phases = clock.Phases.Select(p => new StepPhase(p.Name, p.WallMs / steps, p.CpuMs / steps)).ToArray();
        return new StepBreakdown(steps, get_num_threads(), wallMs / steps, cpuMs / steps, phases, (double)allocated / steps, collections.Select(c => (double)c / steps).ToArray());
    }

    /// <summary>
    /// StemLayerStack.forward with laps: the same operations on the model's modules, in the same
    /// order, and a <see cref="BackwardLap"/> at every boundary between parts.
    /// </summary>
    internal static MultiTaskOutput TimedForward(StemNet model, FeatureBatch batch, PhaseClock clock)
    {
        var net = model.Net;
        var views = net.Embedding.forward(batch);
        clock.Lap(Embedding);
        Tensor? weights = null;
        var pools = net.ExpertLayers;
        var gates = net.GateLayers;
        for (var l = 0; l < pools.Count; l++)
        {
            // ExpertPool.forward: cast, gather each expert's view (batched), or each expert on its
            // view in place (separate: nothing gathered, the experts' backward ends at the views).
            var separate = pools[l].Execution == ExpertExecution.Separate;
            views = BackwardLap.Mark(views, clock, separate ? ExpertsBackward : GatherBackward);
            Tensor outputs;
            if (separate)
            {
                clock.Lap(Gather);
                outputs = pools[l].forward(views);
            }
            else
            {
                var experts = pools[l].Experts;
                var input = views;
                if (pools[l].InputViewIndex is { } index)
                {
                    input = (views.dtype == experts.ComputeType ? views : views.to(experts.ComputeType)).index_select(0, index);
                }

                input = BackwardLap.Mark(input, clock, ExpertsBackward);
                clock.Lap(Gather);
                outputs = experts.forward(input);
            }

            clock.Lap(Experts);
            outputs = BackwardLap.Mark(outputs, clock, GateInputsBackward);

            // AfTbGate.forward.
            var gate = gates[l];
            var t = gate.TaskCount;
            var shared = views[t];
            var taskInputs = views.narrow(0, 0, t);
            if (gate.GateInput == GateInput.TaskPlusShared)
            {
                taskInputs = taskInputs + shared;
            }

            var gateInputs = gate.HasSharedGate ? cat([taskInputs, shared.unsqueeze(0)], 0) : taskInputs;
            gateInputs = BackwardLap.Mark(gateInputs, clock, GatesBackward);
            weights = BackwardLap.Mark(gate.Gates.forward(gateInputs).softmax(-1), clock, MixingBackward);
            clock.Lap(Gates);
            views = ExpertMixture.Mix(weights, outputs, gate.PassGradient);
            clock.Lap(Mixing);
        }

        // TaskTower.forward.
        views = BackwardLap.Mark(views, clock, TowersBackward);
        var logits = BackwardLap.Mark(net.Towers.Towers.forward(views), clock, LossBackward);
        var output = new MultiTaskOutput(logits.squeeze(-1).t()) { GateWeights = weights };
        clock.Lap(Towers);
        return output;
    }
}

/// <summary>One phase of a step: mean wall and process CPU milliseconds per step.</summary>
internal sealed record StepPhase(string Name, double WallMs, double CpuMs);

/// <summary>A measured breakdown: per-step means over the timed steps.</summary>
/// <param name="Steps">Timed steps.</param>
/// <param name="Threads">LibTorch intra-op threads.</param>
/// <param name="StepWallMs">Wall time of a whole step, measured around it (the phases cover it, less a few microseconds).</param>
/// <param name="StepCpuMs">Process CPU time of a step (all threads).</param>
/// <param name="Phases">The phases in the order of a step.</param>
/// <param name="AllocatedBytes">Managed bytes allocated per step (all threads).</param>
/// <param name="Collections">GC collections per step of generations 0, 1 and 2.</param>
internal sealed record StepBreakdown(int Steps, int Threads, double StepWallMs, double StepCpuMs, IReadOnlyList<StepPhase> Phases, double AllocatedBytes, IReadOnlyList<double> Collections);
