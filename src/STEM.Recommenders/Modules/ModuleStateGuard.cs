using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// Keeps a module's gradients and buffers (batch-norm statistics) and puts them back on dispose:
/// the calibrations run forward and backward passes on random inputs, and a training run that
/// calibrates must go on exactly as one that did not. A gradient that was missing is missing again
/// (an optimizer skips it), not zeros.
/// </summary>
internal sealed class ModuleStateGuard : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor?[] _gradients;
    private readonly Tensor[] _buffers;
    private readonly Tensor[] _bufferValues;

    public ModuleStateGuard(nn.Module module)
    {
        _parameters = module.parameters().ToArray();
        _buffers = module.buffers().ToArray();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            _gradients = _parameters.Select(p => p.grad?.clone().DetachFromDisposeScope()).ToArray();
            _bufferValues = _buffers.Select(b => b.clone().DetachFromDisposeScope()).ToArray();
        }
    }

    public void Dispose()
    {
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                var grad = _parameters[i].grad;
                if (_gradients[i] is not { } before)
                {
                    _parameters[i].grad = null;
                }
                else if (grad is null)
                {
                    _parameters[i].grad = before.clone();
                }
                else
                {
                    grad.copy_(before);
                }
            }

            for (var i = 0; i < _buffers.Length; i++)
            {
                _buffers[i].copy_(_bufferValues[i]);
            }
        }

        foreach (var saved in _gradients.Concat(_bufferValues))
        {
            saved?.Dispose();
        }
    }
}
