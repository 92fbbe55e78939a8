using STEM.Recommenders.Runtime;
using TorchSharp;

namespace STEM.Recommenders.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void Cpu_starts_and_the_device_is_cpu()
    {
        var device = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu });

        device.type.Should().Be(DeviceType.CPU);
        TorchRuntime.HasRequiredLibStdCxx().Should().BeTrue("TorchSharp just loaded");
    }

    [Fact]
    public void A_libtorch_directory_without_the_libraries_is_a_clear_error()
    {
        var empty = TestPaths.TempDirectory();

        var act = () => TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu, LibTorchDirectory = empty });

        act.Should().Throw<TorchRuntimeException>()
            .WithMessage($"*{empty}*was not found: STEM_LIBTORCH_DIR must point at PyTorch's torch/lib directory*");
    }

    [Fact]
    public void A_libtorch_directory_that_does_not_exist_is_a_clear_error()
    {
        var act = () => TorchRuntime.Initialize(new TorchRuntimeOptions { LibTorchDirectory = "/no/such/torch/lib" });

        act.Should().Throw<TorchRuntimeException>().WithMessage("The LibTorch directory '/no/such/torch/lib'*does not exist.");
    }

    [Fact]
    public void No_native_backend_says_which_package_to_reference()
    {
        var original = TorchRuntime.InitializeDeviceType;
        TorchRuntime.InitializeDeviceType = _ => throw new NotSupportedException("libLibTorchSharp.so: cannot open shared object file");
        try
        {
            var act = () => TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu });

            var error = act.Should().Throw<TorchRuntimeException>()
                .WithMessage("No native LibTorch backend could be loaded.*TorchSharp-cpu, TorchSharp-cuda-linux or TorchSharp-cuda-windows*STEM_LIBTORCH_DIR*")
                .Which;
            error.InnerException.Should().BeOfType<NotSupportedException>();
        }
        finally
        {
            TorchRuntime.InitializeDeviceType = original;
        }
    }

    [Fact]
    public void Requesting_cuda_without_a_cuda_backend_is_a_clear_error_and_auto_falls_back_to_cpu()
    {
        var originalInit = TorchRuntime.InitializeDeviceType;
        var originalAvailable = TorchRuntime.CudaIsAvailable;
        TorchRuntime.InitializeDeviceType = type => type == DeviceType.CPU;
        TorchRuntime.CudaIsAvailable = () => false;
        try
        {
            var cuda = () => TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cuda });

            cuda.Should().Throw<TorchRuntimeException>().WithMessage("CUDA was requested but cannot be used.*TorchSharp-cuda-linux*--device cpu*");
            TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Auto }).type.Should().Be(DeviceType.CPU);
        }
        finally
        {
            TorchRuntime.InitializeDeviceType = originalInit;
            TorchRuntime.CudaIsAvailable = originalAvailable;
        }
    }
}
