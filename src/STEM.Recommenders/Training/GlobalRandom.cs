namespace STEM.Recommenders.Training;

/// <summary>
/// The one lock around every use of LibTorch's global random generator by a training run. A run's
/// data order has its own <c>torch.Generator</c>, but weight initialisation and dropout cannot be
/// given one in TorchSharp 0.107 (nn.init's kaiming/xavier functions and nn.Dropout draw from the
/// global generator), so a run seeds the global generator with <c>torch.manual_seed</c>. Two runs
/// in one process would then interleave their draws and neither would be reproducible; holding this
/// lock from the seed to the end of the run makes concurrent runs take turns instead, so each gives
/// the result it gives alone. It is a monitor, so a run that starts another on the same thread
/// (ExperimentRunner creating the model, then Trainer.Fit) does not deadlock.
/// </summary>
internal static class GlobalRandom
{
    public static readonly object Gate = new();
}
