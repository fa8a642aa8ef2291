import Foundation

/// Renders the `Dockerfile` that builds a base spec with `podman build` or
/// `docker build`, the build context being the spec's folder.
public enum DockerfileRenderer {
    /// The Dockerfile text for `spec`.
    ///
    /// Every string reaches the Dockerfile in JSON form (exec form for
    /// `COPY`/`CMD`/`VOLUME`) or escaped for `ENV`/`LABEL`, so paths with
    /// spaces and values with quotes or `$` survive.
    public static func render(_ spec: BaseSpec) -> String {
        var lines: [String] = []
        lines.append("# Rendered by gantry from base.yml (template \(spec.name), version \(spec.version)).")
        lines.append("# Edit base.yml, then run 'gantry base render' to write this file again.")
        lines.append("FROM \(spec.from)")
        if !spec.env.isEmpty {
            lines.append(instruction("ENV", spec.env.map { "\($0.key)=\(quoted($0.value))" }))
        }
        if !spec.packages.isEmpty {
            lines.append(chain("RUN", [
                "apt-get update",
                "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \(spec.packages.joined(separator: " "))",
                "rm -rf /var/lib/apt/lists/*",
            ]))
        }
        for file in spec.files {
            lines.append("COPY \(json([file.source, file.destination]))")
        }
        if !spec.files.isEmpty {
            lines.append(chain("RUN", spec.files.map { "chmod \(octal($0.mode)) \(shellQuoted($0.destination))" }))
        }
        if !spec.run.isEmpty {
            // One RUN for all steps: one layer, and a failing step stops the build.
            lines.append(chain("RUN", spec.run))
        }
        lines.append("WORKDIR \(spec.workdir)")
        lines.append("USER \(spec.user)")
        lines.append("EXPOSE \(spec.port)")
        lines.append("STOPSIGNAL \(spec.stopSignal)")
        lines.append("VOLUME \(json([spec.mount]))")
        lines.append(instruction("LABEL", spec.imageLabels.map { "\($0.key)=\(quoted($0.value))" }))
        lines.append("CMD \(json(spec.cmd))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `INSTR a \` + newline + `    b` for readable multi-value instructions.
    private static func instruction(_ name: String, _ items: [String]) -> String {
        name + " " + items.joined(separator: " \\\n    ")
    }

    private static func chain(_ name: String, _ commands: [String]) -> String {
        name + " " + commands.joined(separator: " \\\n && ")
    }

    /// A double-quoted Dockerfile word: `\`, `"` and `$` escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for character in value {
            if character == "\\" || character == "\"" || character == "$" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    /// A JSON array of strings, as the exec form wants.
    static func json(_ items: [String]) -> String {
        "[" + items.map(jsonString).joined(separator: ", ") + "]"
    }

    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A word the shell reads back unchanged.
    public static func shellQuoted(_ value: String) -> String {
        if value.range(of: #"^[A-Za-z0-9_./:@%+=-]+$"#, options: .regularExpression) != nil { return value }
        return "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A permission mode as `chmod` takes it, four octal digits such as `0755`.
    public static func octal(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension BaseSpec {
    /// Label keys gantry reads back from a base image.
    public enum LabelKey {
        /// Template name.
        public static let template = "io.gantry.template"
        /// Template version.
        public static let templateVersion = "io.gantry.template.version"
        /// Mount point of the app.
        public static let mount = "io.gantry.mount"
        /// Port the server listens on.
        public static let port = "io.gantry.port"
        /// Log folder of the server.
        public static let logs = "io.gantry.logs"
        /// Environment `gantry dev` adds, as a JSON object.
        public static let devEnv = "io.gantry.dev-env"
    }

    /// Every label the base image carries: gantry's own, the OCI description, then the spec's.
    public var imageLabels: [KeyValue] {
        var labels = [
            KeyValue(key: "org.opencontainers.image.description", value: description),
            KeyValue(key: LabelKey.template, value: name),
            KeyValue(key: LabelKey.templateVersion, value: String(version)),
            KeyValue(key: LabelKey.mount, value: mount),
            KeyValue(key: LabelKey.port, value: String(port)),
        ]
        if let logs { labels.append(KeyValue(key: LabelKey.logs, value: logs)) }
        if !devEnv.isEmpty {
            let object = devEnv.map { "\(DockerfileRenderer.jsonString($0.key)):\(DockerfileRenderer.jsonString($0.value))" }
            labels.append(KeyValue(key: LabelKey.devEnv, value: "{" + object.joined(separator: ",") + "}"))
        }
        for label in self.labels where !labels.contains(where: { $0.key == label.key }) {
            labels.append(label)
        }
        return labels
    }
}
