using System.Diagnostics;
using Xunit;

namespace STEM.Recommenders.Testing;

/// <summary>
/// A stream over a real file that behaves like a disk that fills after <paramref name="capacity"/>
/// bytes: the write (or flush) that crosses it, and every one after it, throws the IOException that
/// .NET throws for ENOSPC on Linux (HResult 28, "No space left on device : 'path'").
/// </summary>
public sealed class FullDiskStream(Stream inner, string path, FullDiskStream.Disk disk) : Stream
{
    public const int Enospc = 28;

    private long _written;

    /// <summary>A file on a disk of its own with <paramref name="capacity"/> bytes free.</summary>
    public FullDiskStream(Stream inner, string path, long capacity)
        : this(inner, path, new Disk(capacity))
    {
    }

    /// <summary>The free space that every file on one disk shares.</summary>
    public sealed class Disk(long capacity)
    {
        public long Capacity { get; } = capacity;

        public long Used { get; set; }
    }

    public bool Filled { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Filled || disk.Used + buffer.Length > disk.Capacity)
        {
            // Like a real disk, the bytes that still fit land in the file first.
            var fits = (int)Math.Max(0, Math.Min(buffer.Length, disk.Capacity - disk.Used));
            inner.Write(buffer[..fits]);
            _written += fits;
            disk.Used += fits;
            Filled = true;
            throw new IOException($"No space left on device : '{path}'", Enospc);
        }

        inner.Write(buffer);
        _written += buffer.Length;
        disk.Used += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
        if (Filled)
        {
            throw new IOException($"No space left on device : '{path}'", Enospc);
        }

        inner.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// A small tmpfs mounted for one test: a real file system that runs out of space, so that a write
/// fails with ENOSPC from the kernel. Mounting needs root with CAP_SYS_ADMIN (this container has it;
/// many CI runners do not), so <see cref="TryMount"/> returns null where it cannot.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        using var probe = TryMount(16);
        return probe is null ? "mounting a tmpfs failed (needs root with CAP_SYS_ADMIN); the injected-ENOSPC tests cover the same code" : null;
    });

    private SmallTmpfs(string directory) => Directory = directory;

    /// <summary>The mount point.</summary>
    public string Directory { get; }

    /// <summary>Why a real full disk cannot be made here, or null when it can.</summary>
    public static string? WhyUnavailable => OperatingSystem.IsLinux() ? Unavailable.Value : "tmpfs needs Linux";

    public static SmallTmpfs? TryMount(int kilobytes)
    {
        var directory = Path.Combine(Path.GetTempPath(), "stem-tmpfs-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", directory))
        {
            return new SmallTmpfs(directory);
        }

        System.IO.Directory.Delete(directory);
        return null;
    }

    public void Dispose()
    {
        Run("umount", Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Still mounted (busy): leave the empty mount point.
        }
    }

    private static bool Run(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            process.WaitForExit(10_000);
            return process.HasExited && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A fact that needs a real full disk (<see cref="SmallTmpfs"/>); skipped, saying why, where none can be mounted.</summary>
public sealed class RealFullDiskFactAttribute : FactAttribute
{
    public RealFullDiskFactAttribute()
    {
        if (SmallTmpfs.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}
