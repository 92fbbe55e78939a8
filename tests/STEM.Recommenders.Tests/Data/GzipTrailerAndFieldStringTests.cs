using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Tests.Data;

/// <summary>
/// The gzip end check compares both halves of the trailer (a wrong CRC alone, a wrong length
/// alone) on the synchronous and asynchronous paths, and refuses a file too short to hold one; the
/// field-string pool shares short values only (the mutation run in docs/testing.md showed which of
/// these no test asserted).
/// </summary>
public class GzipTrailerAndFieldStringTests
{
    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private static string Write(byte[] bytes)
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "t.csv.gz");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string ReadAll(string path, bool async)
    {
        using var check = new GzipEndCheck(path, File.OpenRead(path));
        using var reader = new StreamReader(check);
        return async ? reader.ReadToEndAsync().GetAwaiter().GetResult() : reader.ReadToEnd();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_whole_file_reads_and_reading_past_the_end_stays_quiet(bool async)
    {
        var path = Write(Gzip("a,b\n1,2\n"));
        ReadAll(path, async).Should().Be("a,b\n1,2\n");

        using var check = new GzipEndCheck(path, File.OpenRead(path));
        var buffer = new byte[64];
        check.Read(buffer).Should().Be(8);
        check.Read(buffer).Should().Be(0);
        check.Read(buffer).Should().Be(0, "the end is checked once, and stays an end");
        check.Position.Should().Be(8);
    }

    [Theory]
    [InlineData(false, 8)]
    [InlineData(true, 8)]
    [InlineData(false, 3)]
    [InlineData(true, 3)]
    public void A_file_cut_inside_or_before_its_trailer_is_an_error_on_both_read_paths(bool async, int cut)
    {
        // A wrong trailer on a whole stream is refused by zlib itself; the check is what catches a cut one.
        var bytes = Gzip(string.Concat(Enumerable.Repeat("a,b\n1,2\n", 50)));
        var path = Write(bytes[..^cut]);

        var act = () => ReadAll(path, async);

        act.Should().Throw<DataFormatException>().WithMessage($"{path}: the gzip stream ends early or is damaged: *bytes decompressed*");
    }

    [Fact]
    public void A_file_too_short_for_a_header_and_a_trailer_is_an_error()
    {
        var bytes = Gzip("x");
        bytes.Length.Should().BeGreaterThan(18);
        var path = Write(bytes[..17]);

        FluentActions.Invoking(() => ReadAll(path, async: false)).Should().Throw<DataFormatException>()
            .WithMessage($"{path}: the gzip stream ends early or is damaged*");
    }

    [Fact]
    public void Short_values_share_one_instance_and_long_ones_do_not()
    {
        var twelve = "abcdefghijkl";
        var a = FieldStrings.Create(twelve.AsSpan());
        var b = FieldStrings.Create(twelve.ToCharArray());
        a.Should().Be(twelve);
        ReferenceEquals(a, b).Should().BeTrue("a value of 12 characters is pooled");

        var thirteen = "abcdefghijklm";
        var c = FieldStrings.Create(thirteen.AsSpan());
        var d = FieldStrings.Create(thirteen.ToCharArray());
        d.Should().Be(thirteen);
        ReferenceEquals(c, d).Should().BeFalse("longer values are rarely repeated and not pooled");

        // Another value in the slot replaces it, and the pool never returns a wrong value.
        FieldStrings.Create("x".AsSpan()).Should().Be("x");
        FieldStrings.Create("y".AsSpan()).Should().Be("y");
        FieldStrings.Create(string.Empty.AsSpan()).Should().BeEmpty();
    }
}
