using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Pretraining;

/// <summary>The outcome of <see cref="CluePretraining.Run"/>: the encoder artifact, the loop's record and the test users' metrics.</summary>
/// <param name="Artifact">The pretrained encoder with its vocabulary and sequence options (the caller disposes it).</param>
/// <param name="Training">What the loop did.</param>
/// <param name="Test">Held-out test users' pretext metrics, at the validation's fixed batch size (or smaller when there are fewer test users).</param>
/// <param name="TrainingFlops">Estimated training compute of the run (6·N·tokens, non-embedding parameters).</param>
public sealed record CluePretrainingResult(ClueEncoderArtifact Artifact, PretrainingResult Training, PretextMetrics Test, double TrainingFlops);

/// <summary>One CLUE pretraining run end to end: build the encoder and loss, train, evaluate on the test users, package the artifact.</summary>
public static class CluePretraining
{
    /// <summary>Pretrains an encoder on prepared splits.</summary>
    /// <remarks>Seeds the global generator with <see cref="PretrainingOptions.Seed"/> before building the encoder, so a run is reproducible.</remarks>
    public static CluePretrainingResult Run(ClueDataSplits data, ClueEncoderOptions? encoder = null, ContrastiveLossOptions? loss = null, PretrainingOptions? training = null, IProgress<PretrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        encoder ??= new ClueEncoderOptions();
        loss ??= new ContrastiveLossOptions();
        training ??= new PretrainingOptions();
        encoder.Validate();
        loss.Validate();
        var pretrainer = new Pretrainer(training);
        if (data.Log.Options.MaxLength > encoder.MaxLength)
        {
            throw new ArgumentException($"ClueEncoderOptions.MaxLength ({encoder.MaxLength}) is shorter than SequenceOptions.MaxLength ({data.Log.Options.MaxLength}).", nameof(encoder));
        }

        TorchSharp.torch.manual_seed(training.Seed);
        var model = new ClueEncoder("clue", data.Vocabulary.Count, data.Log.Options.MaxTokensPerItem, encoder);
        using var contrastive = new ContrastiveLoss("loss", loss);
        try
        {
            var result = pretrainer.Fit(model, contrastive, data.Train, data.Validation, progress, cancellationToken);
            var testBatch = Math.Min(training.EvaluationBatchSize, data.Test.Count);
            var test = Pretrainer.Evaluate(model, contrastive, data.Test, testBatch);
            var validation = result.Best?.Validation;
            var flops = ClueCompute.TrainingFlops(model, result.TokensSeen, result.ItemsSeen, result.PairsSeen * 2);
            return new CluePretrainingResult(ClueEncoderArtifact.Create(model, data.Vocabulary, data.Log.Options, validation), result, test, flops);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
