using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Runtime;

/// <summary>
/// Reads TorchSharp's tensor formats (<c>Module.save</c>: a LEB128 count, then per tensor a
/// length-prefixed UTF-8 name, LEB128 dtype, rank and dimensions and the raw little-endian data;
/// <c>Tensor.Save</c>: one tensor without the name) with every claim checked against what the
/// reader expects before anything is allocated: the count, each name, dtype and shape, the bytes
/// that are really there, nothing after the end, and (for floating-point data) that every value is
/// finite. TorchSharp's own loaders trust the header: a file that claims 2^40 tensors or a
/// [2^40, 2^40] shape reaches LibTorch, and a truncated file fails as a native error. Messages
/// name the tensor; the caller prefixes the file.
/// </summary>
internal static class TensorFile
{
    private const int MaxNameBytes = 4096;
    private const int MaxRank = 16;
    private const int ChunkBytes = 16 << 20;

    /// <summary>Reads a <c>Module.save</c> stream into <paramref name="targets"/> (a module's state_dict).</summary>
    /// <exception cref="InvalidDataException">The stream does not hold exactly these tensors.</exception>
    public static void ReadStateInto(Stream stream, IReadOnlyDictionary<string, Tensor> targets, bool checkFinite)
    {
        var count = ReadLeb128(stream, "the tensor count");
        if (count != targets.Count)
        {
            throw new InvalidDataException($"it holds {count} tensors but the model has {targets.Count}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            var name = ReadName(stream, i);
            if (!targets.TryGetValue(name, out var target))
            {
                var missing = targets.Keys.Where(k => !seen.Contains(k)).Order(StringComparer.Ordinal).FirstOrDefault();
                throw new InvalidDataException($"tensor {i} is named '{name}', which the model does not have{(missing is null ? string.Empty : $" (it lacks '{missing}')")}");
            }

            if (!seen.Add(name))
            {
                throw new InvalidDataException($"tensor '{name}' appears twice");
            }

            ReadTensorInto(stream, target, name, checkFinite);
        }

        if (stream.ReadByte() != -1)
        {
            throw new InvalidDataException("there are bytes after the last tensor");
        }
    }

    /// <summary>Reads one <c>Tensor.Save</c> record into an existing tensor of the same dtype and shape (on any device).</summary>
    /// <exception cref="InvalidDataException">The record is of another dtype or shape, or truncated.</exception>
    public static void ReadTensorInto(Stream stream, Tensor target, string name, bool checkFinite)
    {
        var (dtype, shape) = ReadHeader(stream, name);
        if (dtype != target.dtype)
        {
            throw new InvalidDataException($"tensor '{name}' is {dtype} in the file but {target.dtype} in the model");
        }

        if (!shape.SequenceEqual(target.shape))
        {
            throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", shape)}] in the file but [{string.Join(", ", target.shape)}] in the model");
        }

        if (target.device_type == DeviceType.CPU)
        {
            ReadData(stream, target, name, checkFinite);
            return;
        }

        // An accelerator's tensor is filled through a CPU copy, one tensor at a time.
        using var staging = empty(target.shape, target.dtype);
        ReadData(stream, staging, name, checkFinite);
        using var _ = no_grad();
        target.copy_(staging);
    }

    /// <summary>Reads one <c>Tensor.Save</c> record as a new CPU tensor of at most <paramref name="maxElements"/> elements.</summary>
    public static Tensor ReadNewTensor(Stream stream, string name, long maxElements)
    {
        var (dtype, shape) = ReadHeader(stream, name);
        var elements = Elements(shape, name);
        if (elements > maxElements)
        {
            throw new InvalidDataException($"tensor '{name}' claims {elements} elements; at most {maxElements} are expected");
        }

        var tensor = empty(shape, dtype);
        try
        {
            ReadData(stream, tensor, name, checkFinite: false);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static (ScalarType Type, long[] Shape) ReadHeader(Stream stream, string name)
    {
        var code = ReadLeb128(stream, $"the dtype of tensor '{name}'");
        if (code is < 0 or > sbyte.MaxValue || !Enum.IsDefined((ScalarType)(sbyte)code))
        {
            throw new InvalidDataException($"tensor '{name}' has an unknown dtype code {code}");
        }

        var rank = ReadLeb128(stream, $"the rank of tensor '{name}'");
        if (rank is < 0 or > MaxRank)
        {
            throw new InvalidDataException($"tensor '{name}' claims rank {rank}");
        }

        var shape = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            shape[d] = ReadLeb128(stream, $"the shape of tensor '{name}'");
            if (shape[d] < 0)
            {
                throw new InvalidDataException($"tensor '{name}' claims a negative dimension");
            }
        }

        _ = Elements(shape, name);
        return ((ScalarType)(sbyte)code, shape);
    }

    private static long Elements(long[] shape, string name)
    {
        long elements = 1;
        foreach (var d in shape)
        {
            if (d != 0 && elements > long.MaxValue / 16 / d)
            {
                throw new InvalidDataException($"tensor '{name}' claims shape [{string.Join(", ", shape)}], more elements than can exist");
            }

            elements *= d;
        }

        return elements;
    }

    private static void ReadData(Stream stream, Tensor target, string name, bool checkFinite)
    {
        var total = target.numel() * target.ElementSize;
        if (total == 0)
        {
            return;
        }

        if (stream.CanSeek && stream.Length - stream.Position < total)
        {
            throw new InvalidDataException($"tensor '{name}' needs {total} bytes but the file ends after {stream.Length - stream.Position} (it is truncated)");
        }

        using var _ = no_grad();
        using var flat = target.view(-1);
        var elementSize = (int)target.ElementSize;
        var buffer = new byte[(int)Math.Min(total, ChunkBytes / elementSize * elementSize)];
        long done = 0;
        while (done < total)
        {
            var want = (int)Math.Min(buffer.Length, total - done);
            var got = stream.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            if (got < want)
            {
                throw new InvalidDataException($"tensor '{name}' needs {total} bytes but the file ends after {done + got} (it is truncated)");
            }

            var chunk = buffer.AsSpan(0, want);
            if (checkFinite && FirstNonFinite(chunk, target.dtype) is { } bad)
            {
                throw new InvalidDataException($"tensor '{name}' holds a non-finite value (NaN or infinity) at element {(done / elementSize) + bad}");
            }

            using (var part = flat.narrow(0, done / elementSize, want / elementSize))
            {
                part.bytes = chunk;
            }

            done += want;
        }
    }

    private static long? FirstNonFinite(ReadOnlySpan<byte> data, ScalarType type)
    {
        switch (type)
        {
            case ScalarType.Float32:
                var floats = MemoryMarshal.Cast<byte, float>(data);
                for (var i = 0; i < floats.Length; i++)
                {
                    if (!float.IsFinite(floats[i]))
                    {
                        return i;
                    }
                }

                return null;
            case ScalarType.Float64:
                var doubles = MemoryMarshal.Cast<byte, double>(data);
                for (var i = 0; i < doubles.Length; i++)
                {
                    if (!double.IsFinite(doubles[i]))
                    {
                        return i;
                    }
                }

                return null;
            case ScalarType.Float16:
            case ScalarType.BFloat16:
                // Both keep the exponent in the bits under the sign: all ones is NaN or infinity.
                var mask = type == ScalarType.Float16 ? (ushort)0x7C00 : (ushort)0x7F80;
                for (var i = 0; i < data.Length / 2; i++)
                {
                    if ((BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]) & mask) == mask)
                    {
                        return i;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string ReadName(Stream stream, long index)
    {
        // BinaryWriter.Write(string): a 7-bit encoded byte length, then UTF-8.
        var length = ReadLeb128(stream, $"the name of tensor {index}");
        if (length is < 0 or > MaxNameBytes)
        {
            throw new InvalidDataException($"tensor {index} claims a name of {length} bytes");
        }

        var bytes = new byte[length];
        if (stream.ReadAtLeast(bytes, (int)length, throwOnEndOfStream: false) < length)
        {
            throw new InvalidDataException($"the file ends inside the name of tensor {index} (it is truncated)");
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"the name of tensor {index} is not UTF-8");
        }
    }

    // TorchSharp's LEB128 (and BinaryWriter's 7-bit length): 7 bits per byte, low first, high bit = more.
    private static long ReadLeb128(Stream stream, string what)
    {
        long value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException($"the file ends inside {what} (it is truncated or empty)");
            }

            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException($"{what} is not a valid number");
    }
}
