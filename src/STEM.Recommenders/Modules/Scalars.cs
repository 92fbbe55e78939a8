using TorchSharp;

namespace STEM.Recommenders.Modules;

/// <summary>
/// Long-lived TorchSharp scalars for hot paths. TorchSharp 0.107's <see cref="Scalar"/> frees its
/// native handle in a finalizer and its methods do not keep the object alive across the native
/// call, so a temporary scalar (an implicit conversion such as <c>x.clamp_min(1)</c>) can be
/// finalized while LibTorch is still reading it — a rare crash ("Expected false to be true" in
/// c10::Scalar::toFloat) seen once in hours of training. Constants live here; values computed per
/// step are held with <c>using var s = value.ToScalar();</c> for the duration of the call.
/// These constants live for the whole process (static roots are never finalized while it runs);
/// scalars that belong to one module or optimizer are fields disposed with it
/// (<see cref="EmbeddingBank"/>, Training.MultiTaskOptimizer, Training.AdamCoefficients).
/// </summary>
internal static class Scalars
{
    public static readonly Scalar Zero = 0.0f.ToScalar();
    public static readonly Scalar One = 1.0f.ToScalar();
    public static readonly Scalar Two = 2.0f.ToScalar();
    public static readonly Scalar Half = 0.5f.ToScalar();
    public static readonly Scalar Tiny = 1e-12.ToScalar();
}
