using Google.Protobuf;
using Onnx;

namespace STEM.Recommenders.Onnx.Graph;

/// <summary>TensorProto constructors (raw little-endian data, as ONNX Runtime reads fastest).</summary>
internal static class OnnxTensors
{
    public static TensorProto Float(string name, float[] values, long[] dims) =>
        Raw(name, TensorProto.Types.DataType.Float, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public static TensorProto Double(string name, double[] values, long[] dims) =>
        Raw(name, TensorProto.Types.DataType.Double, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public static TensorProto Int64(string name, long[] values, long[] dims) =>
        Raw(name, TensorProto.Types.DataType.Int64, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public static TensorProto String(string name, string[] values, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.String };
        tensor.Dims.AddRange(dims);
        tensor.StringData.AddRange(values.Select(ByteString.CopyFromUtf8));
        return tensor;
    }

    private static TensorProto Raw(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this writer runs on little-endian machines only.");
        }

        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
