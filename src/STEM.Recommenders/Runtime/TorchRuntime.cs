using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;

namespace STEM.Recommenders.Runtime;

/// <summary>
/// Starts the native runtime once per process and picks the device: CPU, CUDA, or CUDA when it
/// can be used. It can borrow CUDA from an existing PyTorch installation, and it turns TorchSharp's
/// long loader trace into one message that says what to reference or install.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Environment variable naming a PyTorch <c>torch/lib</c> directory.</summary>
    public const string LibTorchDirectoryVariable = "STEM_LIBTORCH_DIR";

    private static readonly object Gate = new();
    private static readonly HashSet<string> LoadedDirectories = new(StringComparer.Ordinal);

    /// <summary>Test seam: initialises a device type, returning false (or throwing) when it cannot.</summary>
    internal static Func<DeviceType, bool> InitializeDeviceType { get; set; } = DefaultInitialize;

    /// <summary>Test seam: whether a CUDA device can be used once the backend is loaded.</summary>
    internal static Func<bool> CudaIsAvailable { get; set; } = () => torch.cuda.is_available();

    /// <summary>
    /// Loads the native backend for the requested device and returns the device to put tensors on.
    /// </summary>
    /// <exception cref="TorchRuntimeException">No usable backend; the message says what to reference or install.</exception>
    public static torch.Device Initialize(TorchRuntimeOptions? options = null)
    {
        options ??= new TorchRuntimeOptions();
        lock (Gate)
        {
            var directory = options.LibTorchDirectory ?? Environment.GetEnvironmentVariable(LibTorchDirectoryVariable);
            if (!string.IsNullOrWhiteSpace(directory))
            {
                LoadFromDirectory(directory, cuda: options.Device != ComputeDevice.Cpu);
            }

            var device = options.Device switch
            {
                ComputeDevice.Cpu => StartCpu(),
                ComputeDevice.Cuda => StartCuda(required: true) ?? throw new InvalidOperationException(),
                _ => StartCuda(required: false) ?? StartCpu(),
            };
            if (options.Threads is { } threads)
            {
                if (threads < 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), "Threads must be at least 1.");
                }

                torch.set_num_threads(threads);
            }

            return device;
        }
    }

    /// <summary>Whether the libstdc++ on this Linux machine is new enough for TorchSharp's native library (GCC 13+).</summary>
    public static bool HasRequiredLibStdCxx()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return true;
        }

        var candidates = new[]
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        var needle = Encoding.ASCII.GetBytes("GLIBCXX_3.4.32");
        return candidates.Where(File.Exists).Any(path => File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0);
    }

    private static torch.Device StartCpu()
    {
        Start(DeviceType.CPU);
        return torch.CPU;
    }

    private static torch.Device? StartCuda(bool required)
    {
        bool started;
        Exception? failure = null;
        try
        {
            started = InitializeDeviceType(DeviceType.CUDA) && CudaIsAvailable();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            started = false;
            failure = e;
        }

        if (started)
        {
            return torch.CUDA;
        }

        if (!required)
        {
            return null;
        }

        throw new TorchRuntimeException(
            "CUDA was requested but cannot be used. Reference TorchSharp-cuda-linux or TorchSharp-cuda-windows " +
            $"(instead of TorchSharp-cpu), or point {LibTorchDirectoryVariable} at a CUDA build of PyTorch's torch/lib " +
            "directory, and check that `nvidia-smi` sees a GPU. Use --device cpu to run on the CPU." + Hint(),
            failure);
    }

    private static void Start(DeviceType type)
    {
        bool ok;
        Exception? failure = null;
        try
        {
            ok = InitializeDeviceType(type);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ok = false;
            failure = e;
        }

        if (!ok)
        {
            throw new TorchRuntimeException(
                "No native LibTorch backend could be loaded. An application (not a library) must reference one backend " +
                "package: TorchSharp-cpu, TorchSharp-cuda-linux or TorchSharp-cuda-windows; or set " +
                $"{LibTorchDirectoryVariable} to an existing PyTorch installation's torch/lib directory." + Hint(),
                failure);
        }
    }

    private static string Hint() =>
        HasRequiredLibStdCxx()
            ? string.Empty
            : " This machine's libstdc++ lacks GLIBCXX_3.4.32, which TorchSharp 0.107 needs (GCC 13+): on Debian 12 or " +
              "Ubuntu 22.04 run eng/install-libstdcxx.sh from the STEM.Recommenders repository, or install libstdc++6 from GCC 13+.";

    private static void LoadFromDirectory(string directory, bool cuda)
    {
        if (LoadedDirectories.Contains(directory))
        {
            return;
        }

        if (!Directory.Exists(directory))
        {
            throw new TorchRuntimeException($"The LibTorch directory '{directory}' (from options or {LibTorchDirectoryVariable}) does not exist.");
        }

        var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        string Name(string stem) => windows ? $"{stem}.dll" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? $"lib{stem}.dylib" : $"lib{stem}.so";

        // Dependency order: each library is loaded after the ones it links against, so the loader
        // resolves them from this directory rather than searching the system.
        var required = new List<string> { "c10", "torch_cpu" };
        if (cuda && File.Exists(Path.Combine(directory, Name("torch_cuda"))))
        {
            required.AddRange(["c10_cuda", "torch_cuda"]);
        }

        required.Add("torch");
        foreach (var stem in required)
        {
            var path = Path.Combine(directory, Name(stem));
            if (!File.Exists(path))
            {
                throw new TorchRuntimeException($"'{path}' was not found: {LibTorchDirectoryVariable} must point at PyTorch's torch/lib directory (it holds {Name("c10")}, {Name("torch_cpu")} and, for CUDA, {Name("torch_cuda")}).");
            }

            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new TorchRuntimeException($"'{path}' could not be loaded: {e.Message}.{Hint()}", e);
            }
        }

        LoadedDirectories.Add(directory);
    }

    private static bool DefaultInitialize(DeviceType type)
    {
        if (type == DeviceType.CPU)
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return true;
        }

        return torch.TryInitializeDeviceType(type);
    }
}
