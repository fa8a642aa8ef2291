/// Reads an object of a Dockerrun file member by member, leniently, and
/// remembers the members it did not read so they can be written back.
struct DockerrunReader {
    let file: String
    /// The key path of the object, such as `containerDefinitions[1]`; empty for the root.
    let path: String
    private let members: [OrderedJSON.Member]
    private var taken: Set<String> = []

    init(_ json: OrderedJSON, path: String, file: String) throws(BeanstalkError) {
        guard let members = json.members else {
            throw .invalidDockerrun(file: file, path: path, problem: "expected an object, found \(json.kindDescription)")
        }
        self.file = file
        self.path = path
        self.members = members
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func failure(_ key: String, _ problem: String) -> BeanstalkError {
        .invalidDockerrun(file: file, path: keyPath(key), problem: problem)
    }

    /// The raw value at `key`, marking it read; nil when absent or null.
    mutating func take(_ key: String) -> OrderedJSON? {
        taken.insert(key)
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// The members not read, in file order.
    var rest: [OrderedJSON.Member] { members.filter { !taken.contains($0.key) } }

    mutating func string(_ key: String) throws(BeanstalkError) -> String? {
        guard let value = take(key) else { return nil }
        switch value {
        case .string(let text): return text
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        default: throw failure(key, "expected a string, found \(value.kindDescription)")
        }
    }

    mutating func integer(_ key: String) throws(BeanstalkError) -> Int? {
        guard let value = take(key) else { return nil }
        guard let number = value.lenientInteger else {
            throw failure(key, "expected a whole number, found \(value.kindDescription)")
        }
        return number
    }

    mutating func bool(_ key: String) throws(BeanstalkError) -> Bool? {
        guard let value = take(key) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default: throw failure(key, "expected true or false, found \(value.kindDescription)")
        }
    }

    mutating func strings(_ key: String) throws(BeanstalkError) -> [String]? {
        guard let value = take(key) else { return nil }
        guard let elements = value.elements else { throw failure(key, "expected a list of strings, found \(value.kindDescription)") }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue else {
                throw failure("\(key)[\(index)]", "expected a string, found \(element.kindDescription)")
            }
            result.append(text)
        }
        return result
    }

    /// Each object of the list at `key`, read with `body`.
    mutating func objects<Element>(
        _ key: String, _ body: (inout DockerrunReader) throws(BeanstalkError) -> Element
    ) throws(BeanstalkError) -> [Element]? {
        guard let value = take(key) else { return nil }
        guard let elements = value.elements else { throw failure(key, "expected a list, found \(value.kindDescription)") }
        var result: [Element] = []
        for (index, element) in elements.enumerated() {
            var reader = try DockerrunReader(element, path: "\(keyPath(key))[\(index)]", file: file)
            result.append(try body(&reader))
        }
        return result
    }

    /// The object at `key`, read with `body`.
    mutating func object<Element>(
        _ key: String, _ body: (inout DockerrunReader) throws(BeanstalkError) -> Element
    ) throws(BeanstalkError) -> Element? {
        guard let value = take(key) else { return nil }
        var reader = try DockerrunReader(value, path: keyPath(key), file: file)
        return try body(&reader)
    }
}

extension Array where Element == OrderedJSON.Member {
    /// The members with a value, followed by `extras`.
    static func members(_ pairs: KeyValuePairs<String, OrderedJSON?>, extras: [OrderedJSON.Member] = []) -> [OrderedJSON.Member] {
        pairs.compactMap { pair in pair.value.map { OrderedJSON.Member(pair.key, $0) } } + extras
    }
}
