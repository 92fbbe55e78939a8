using System.IO.Compression;
using System.Text;
using CsCheck;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Tests.Fuzz;

/// <summary>
/// Seeded mutations of real files (bit flips, truncations, inserted quotes, NUL, CR and LF, duplicated
/// columns, cut gzip streams): the only acceptable outcomes are a consistent table or the library's
/// own exception with a location — never another exception type, a hang or a crash. The cases come
/// from CsCheck generators driven by a fixed PCG seed, so every run tries the same cases and a
/// failure names the case to replay.
/// </summary>
public class ReaderFuzzTests
{
    private const int Cases = 10_000;

    /// <summary>One mutation: what to do, where (a fraction of the length), and with which byte.</summary>
    private sealed record Mutation(int Kind, uint At, byte Byte);

    private static readonly Gen<(int Seed, bool Gzip, Mutation[] Mutations)> Case =
        Gen.Select(
            Gen.Int[0, 2],
            Gen.Int[0, 9].Select(k => k == 0),
            Gen.Select(Gen.Int[0, 10], Gen.UInt, Gen.Byte, (k, at, b) => new Mutation(k, at, b)).Array[1, 5]);

    private static byte[][] Corpus()
    {
        // The bundled KuaiRand log's first lines, a quoted CSV with embedded delimiters and line
        // breaks, and a TSV.
        using var gzip = new GZipStream(File.OpenRead(TestPaths.Sample("log.csv.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var log = new StringBuilder();
        for (var i = 0; i < 120 && reader.ReadLine() is { } line; i++)
        {
            log.Append(line).Append('\n');
        }

        var quoted = "id,name,note\n1,\"a, b\",x\n2,\"two\nlines\",\"say \"\"hi\"\"\"\n3,,\"\"\n4,plain,é\n";
        var tsv = "user\titem\tclick\nu1\ti1\t1\nu2\ti2\t0\n";
        return [Encoding.UTF8.GetBytes(log.ToString()), Encoding.UTF8.GetBytes(quoted), Encoding.UTF8.GetBytes(tsv)];
    }

    private static byte[] Apply(byte[] original, Mutation[] mutations)
    {
        var bytes = new List<byte>(original);
        foreach (var m in mutations)
        {
            var at = bytes.Count == 0 ? 0 : (int)(m.At % (uint)bytes.Count);
            switch (m.Kind)
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << (m.Byte % 8)); break; // bit flip
                case 1: bytes.RemoveRange(at, bytes.Count - at); break; // truncation
                case 2: bytes.Insert(at, (byte)'"'); break;
                case 3: bytes.Insert(at, 0); break;
                case 4: bytes.Insert(at, (byte)'\r'); break;
                case 5: bytes.Insert(at, (byte)'\n'); break;
                case 6: // a header column repeated
                    var end = bytes.IndexOf((byte)'\n');
                    var comma = bytes.IndexOf((byte)',');
                    if (end > 0 && comma > 0 && comma < end)
                    {
                        bytes.InsertRange(end, bytes.GetRange(comma, end - comma));
                    }

                    break;
                case 7: bytes.Insert(at, m.Byte); break;
                case 8 when bytes.Count > 0: bytes.RemoveAt(at); break;
                case 9: bytes.Insert(at, (byte)','); break;
                default: bytes.InsertRange(at, [0xC3]); break; // half of a two-byte UTF-8 sequence
            }
        }

        return bytes.ToArray();
    }

    private static byte[] Compress(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return buffer.ToArray();
    }

    private static IEnumerable<(int Index, T Value)> Generate<T>(Gen<T> gen, int count)
    {
        // A fixed PCG stream and state: the same cases on every run (Sample would draw a new seed).
        var pcg = new PCG(7, 20261202);
        for (var i = 0; i < count; i++)
        {
            yield return (i, gen.Generate(pcg, null, out _));
        }
    }

    [Fact]
    public async Task Mutated_csv_tsv_and_gzip_files_give_a_table_or_a_located_data_error()
    {
        var corpus = Corpus();
        var directory = TestPaths.TempDirectory();
        int tables = 0, errors = 0;
        foreach (var (index, (seed, gzip, mutations)) in Generate(Case, Cases))
        {
            var text = Apply(corpus[seed], mutations);
            var tsv = seed == 2;
            var path = Path.Combine(directory, $"case{index % 16}.{(tsv ? "tsv" : "csv")}{(gzip ? ".gz" : string.Empty)}");

            // Half of the gzip cases damage the compressed stream itself (a cut, a flipped bit).
            var bytes = gzip ? Compress(text) : text;
            if (gzip && index % 2 == 0)
            {
                bytes = Apply(bytes, [mutations[0] with { Kind = mutations[0].Kind % 2 }]);
            }

            await File.WriteAllBytesAsync(path, bytes);
            var options = tsv ? CsvReadOptions.Tsv : CsvReadOptions.Csv;
            try
            {
                var table = await Task.Run(() => CsvTableReader.ReadAsync(path, options)).WaitAsync(TimeSpan.FromSeconds(20));
                foreach (var column in table.Columns)
                {
                    column.Count.Should().Be(table.RowCount);
                    for (var r = 0; r < column.Count; r++)
                    {
                        if (column[r] is { } value)
                        {
                            value.Should().NotContain("\0").And.NotContain(CsvRecordParser.InvalidUtf8.ToString(), $"case {index}");
                        }
                    }
                }

                tables++;
            }
            catch (DataFormatException e)
            {
                e.Message.Should().StartWith(path, $"case {index}: the error names the file");
                errors++;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"case {index} (corpus {seed}, gzip {gzip}, mutations {string.Join(' ', mutations.Select(m => m.ToString()))}) threw {e.GetType().Name}: {e.Message}", e);
            }
        }

        tables.Should().BeGreaterThan(100, "some mutations keep a valid file");
        errors.Should().BeGreaterThan(1000, "most mutations break the file");
    }

    [Fact]
    public void Mutated_experiment_and_pipeline_json_give_a_config_or_a_located_error()
    {
        var experiment = File.ReadAllBytes(Path.Combine(TestPaths.RepositoryRoot, "samples", "experiments", "kuairand-stem-net.json"));
        var schema = new FeatureSchema
        {
            Features = [new CategoricalFeature { Name = "user" }, new NumericFeature { Name = "price" }],
            Tasks = [new TaskSpec { Name = "click" }],
        };
        var pipeline = Encoding.UTF8.GetBytes(FeaturePipeline.Fit(schema, CsvTableReader.Parse("user,price,click\nu1,2,1\nu2,3,0\n", "t.csv")).ToJson());
        var json = Gen.Select(Gen.Int[0, 1], Gen.Select(Gen.Int[0, 10], Gen.UInt, Gen.Byte, (k, at, b) => new Mutation(k, at, b)).Array[1, 4]);
        foreach (var (index, (which, mutations)) in Generate(json, Cases))
        {
            var text = Encoding.UTF8.GetString(Apply(which == 0 ? experiment : pipeline, mutations));
            try
            {
                if (which == 0)
                {
                    _ = ExperimentConfigLoader.Parse(text, "experiment.json");
                }
                else
                {
                    _ = FeaturePipeline.FromJson(text, "pipeline.json");
                }
            }
            catch (ExperimentConfigException e)
            {
                e.Message.Should().Contain("experiment.json", $"case {index}");
            }
            catch (DataFormatException e)
            {
                e.Message.Should().StartWith("pipeline.json", $"case {index}");
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"case {index} ({(which == 0 ? "experiment" : "pipeline")}, mutations {string.Join(' ', mutations.Select(m => m.ToString()))}) threw {e.GetType().Name}: {e.Message}", e);
            }
        }
    }
}
