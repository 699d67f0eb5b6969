import PolyforgeFormats
import PolyforgeMesh

/// Writes a run as report.json, report.csv and a static, sortable index.html.
public enum QCReportWriter {
    public static func json(_ reports: [QCAssetReport], summary: QCSummary, profile: String) -> JSONValue {
        ["profile": .string(profile), "summary": summary.json, "assets": .array(reports.map(\.json))]
    }

    /// One row per asset and failed check (an asset with no failure gets one row with empty check columns).
    public static func csv(_ reports: [QCAssetReport], failOn: QCSeverity) -> String {
        func field(_ s: String) -> String {
            s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingAll("\"", with: "\"\"") + "\"" : s
        }
        var lines = ["file,format,bytes,triangles,result,check,severity,value,limit,message"]
        for r in reports {
            let result = r.fails(at: failOn) ? "fail" : r.worst == nil ? "pass" : "warn"
            let head = [r.path, r.format ?? "", String(r.bytes), String(r.triangles), result].map(field).joined(separator: ",")
            if let e = r.error {
                lines.append(head + "," + ["file.readable", "error", "", "", e].map(field).joined(separator: ","))
                continue
            }
            let failed = r.checks.filter { $0.status == .fail }
            if failed.isEmpty { lines.append(head + ",,,,,"); continue }
            for c in failed {
                let value = c.value.map { JSONWriter.formatNumber($0) } ?? ""
                lines.append(head + "," + [c.id, c.severity.rawValue, value, c.limit ?? "", c.message].map(field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A static page: one row per asset, columns sortable by a click (numbers numerically). The thumbnail column
    /// shows `QCAssetReport.thumbnail` when a renderer filled it in.
    public static func html(_ reports: [QCAssetReport], summary: QCSummary, profile: String, failOn: QCSeverity) -> String {
        var rows = ""
        for r in reports {
            let result = r.fails(at: failOn) ? "fail" : r.worst == nil ? "pass" : "warn"
            var issues: [String] = []
            if let e = r.error { issues.append("<li class=\"error\"><b>file.readable</b> \(escape(e))</li>") }
            for c in r.checks where c.status == .fail {
                issues.append("<li class=\"\(c.severity.rawValue)\"><b>\(escape(c.id))</b> \(escape(c.message))</li>")
            }
            let thumb = r.thumbnail.map { "<img src=\"\(escape($0))\" alt=\"\" width=\"96\" height=\"96\">" } ?? ""
            rows += """
            <tr class="\(result)"><td class="thumb">\(thumb)</td><td>\(escape(r.path))</td><td>\(escape(r.format ?? ""))</td>\
            <td data-v="\(r.triangles)">\(r.triangles)</td><td data-v="\(r.bytes)">\(r.bytes / 1024) KB</td>\
            <td><span class="badge \(result)">\(result)</span></td><td data-v="\(issues.count)"><ul>\(issues.joined())</ul></td></tr>

            """
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Polyforge QC report</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
        th{background:#f4f4f4;cursor:pointer;user-select:none;position:sticky;top:0}th:after{content:" \\2195";color:#aaa}
        ul{margin:0;padding-left:16px}li.error b{color:#b00}li.warning b{color:#a60}li.info b{color:#06a}
        .badge{padding:2px 8px;border-radius:10px;color:#fff;font-weight:600}.badge.pass{background:#2a7}.badge.warn{background:#d90}.badge.fail{background:#c33}
        td.thumb{width:96px}
        </style></head><body>
        <h1>Polyforge QC report</h1>
        <p id="summary">Profile <b>\(escape(profile))</b>: \(summary.assets) assets, <b>\(summary.failed) failed</b> at level \(failOn.rawValue), \
        \(summary.warned) with warnings, \(summary.unreadable) unreadable; \(String(format3: summary.seconds)) s.</p>
        <table id="assets"><thead><tr><th>Thumbnail</th><th>File</th><th>Format</th><th>Triangles</th><th>Size</th><th>Result</th><th>Failures</th></tr></thead>
        <tbody>
        \(rows)</tbody></table>
        <script>
        document.querySelectorAll('#assets th').forEach(function (th, col) {
          th.addEventListener('click', function () {
            var body = document.querySelector('#assets tbody'), rows = Array.from(body.rows);
            var dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
            function key(r) { var c = r.cells[col]; return c.dataset.v !== undefined ? parseFloat(c.dataset.v) : c.textContent.toLowerCase(); }
            rows.sort(function (a, b) { var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * dir; });
            rows.forEach(function (r) { body.appendChild(r); });
          });
        });
        </script>
        </body></html>

        """
    }

    /// Writes report.json, report.csv and index.html into `directory` (created when missing).
    public static func write(_ reports: [QCAssetReport], summary: QCSummary, profile: String, failOn: QCSeverity, to directory: String) throws(FormatError) {
        try FileSystem.makeDirectories(directory)
        try AtomicFile.write(JSONWriter.bytes(json(reports, summary: summary, profile: profile), indent: 2), to: FileSystem.join(directory, "report.json"))
        try AtomicFile.write(Array(csv(reports, failOn: failOn).utf8), to: FileSystem.join(directory, "report.csv"))
        try AtomicFile.write(Array(html(reports, summary: summary, profile: profile, failOn: failOn).utf8), to: FileSystem.join(directory, "index.html"))
    }
}

extension String {
    init(format3 v: Double) {
        let ms = Int((v * 1000).rounded())
        let frac = String(ms % 1000)
        self = "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
