using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// Reads every floating-point option of an experiment as a finite number. JSON has no Infinity or
/// NaN, but System.Text.Json reads <c>1e999</c> as +Infinity, and configuration values (strings)
/// may say "NaN"; no option of a model, an optimizer, a weighting or a data set has a meaning for
/// either, and a comparison such as <c>x &gt; 0</c> lets +Infinity through and NaN ambiguously.
/// The error names the JSON path (the serializer adds it to the exception).
/// </summary>
internal static class FiniteNumberConverters
{
    public static IEnumerable<JsonConverter> All { get; } =
    [
        new DoubleConverter(),
        new NullableConverter<double>(new DoubleConverter()),
        new SingleConverter(),
        new NullableConverter<float>(new SingleConverter()),
    ];

    private static double ReadFinite(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        string text;
        double value;
        if (reader.TokenType == JsonTokenType.Number)
        {
            text = Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
            value = reader.GetDouble();
        }
        else if (reader.TokenType == JsonTokenType.String && (options.NumberHandling & JsonNumberHandling.AllowReadingFromString) != 0)
        {
            text = reader.GetString() ?? string.Empty;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                throw new JsonException($"'{text}' is not a number.");
            }
        }
        else
        {
            // No message: the serializer writes its own ("could not be converted to System.Double") with the path.
            throw new JsonException();
        }

        if (!double.IsFinite(value))
        {
            var reads = double.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity";
            throw new JsonException($"{text} is not a finite number (it reads as {reads}); give a finite value.");
        }

        return value;
    }

    private static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            // Only reachable for a configuration built in code; written so that reading it back names the path.
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private sealed class DoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadFinite(ref reader, options);

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => WriteNumber(writer, value);
    }

    private sealed class SingleConverter : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = ReadFinite(ref reader, options);
            var single = (float)value;
            return float.IsFinite(single) ? single : throw new JsonException($"{value.ToString(CultureInfo.InvariantCulture)} is outside the range of a 32-bit float; give a finite value.");
        }

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => WriteNumber(writer, value);
    }

    private sealed class NullableConverter<T>(JsonConverter<T> inner) : JsonConverter<T?>
        where T : struct
    {
        public override bool HandleNull => true;

        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : inner.Read(ref reader, typeof(T), options);

        public override void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options)
        {
            if (value is { } v)
            {
                inner.Write(writer, v, options);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
