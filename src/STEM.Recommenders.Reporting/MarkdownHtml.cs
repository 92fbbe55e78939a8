using System.Text;

namespace STEM.Recommenders.Reporting;

// report.html shows the tables of the Markdown report itself, converted here, so that the two can
// never disagree. Only what ComparisonReport.ToMarkdown writes is understood: "#" headings, pipe
// tables (the second line gives each column's alignment) and plain paragraphs.
internal static class MarkdownHtml
{
    public static string Convert(string markdown)
    {
        var html = new StringBuilder();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var level = Math.Min(6, line.TakeWhile(c => c == '#').Count());
                // report.html's own title is the h1; the Markdown's headings sit under "Tables" (h2).
                var shown = Math.Min(6, Math.Max(3, level));
                html.Append("<h").Append(shown).Append('>').Append(Escape(line[level..].Trim())).Append("</h").Append(shown).AppendLine(">");
            }
            else if (line.StartsWith('|'))
            {
                var table = new List<string>();
                while (i < lines.Length && lines[i].Trim().StartsWith('|'))
                {
                    table.Add(lines[i].Trim());
                    i++;
                }

                i--;
                AppendTable(html, table);
            }
            else
            {
                html.Append("<p>").Append(Escape(line)).AppendLine("</p>");
            }
        }

        return html.ToString();
    }

    private static void AppendTable(StringBuilder html, List<string> lines)
    {
        var header = Cells(lines[0]);
        var hasAlignment = lines.Count > 1 && Cells(lines[1]).All(c => c.Length > 0 && c.All(ch => ch is '-' or ':'));
        var right = hasAlignment ? Cells(lines[1]).Select(c => c.EndsWith(':')).ToArray() : new bool[header.Length];
        html.AppendLine("<table>").Append("<thead><tr>");
        for (var c = 0; c < header.Length; c++)
        {
            html.Append(Right(right, c) ? "<th class=\"num\">" : "<th>").Append(Escape(header[c])).Append("</th>");
        }

        html.AppendLine("</tr></thead>").AppendLine("<tbody>");
        foreach (var line in lines.Skip(hasAlignment ? 2 : 1))
        {
            var cells = Cells(line);
            html.Append("<tr>");
            for (var c = 0; c < cells.Length; c++)
            {
                html.Append(Right(right, c) ? "<td class=\"num\">" : "<td>").Append(Escape(cells[c])).Append("</td>");
            }

            html.AppendLine("</tr>");
        }

        html.AppendLine("</tbody>").AppendLine("</table>");
    }

    private static bool Right(bool[] right, int column) => column < right.Length && right[column];

    private static string[] Cells(string line) =>
        line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    // Only the characters HTML needs escaped: the page is UTF-8, so "±", "τ" and "×" stay readable in its source.
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal);
}
