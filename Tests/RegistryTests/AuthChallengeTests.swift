import Registry
import Testing

@Suite("WWW-Authenticate")
struct AuthChallengeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let header: String
        let expected: [AuthChallenge]
        var testDescription: String { header }
    }

    static let cases: [Case] = [
        Case(header: #"Basic realm="Registry Realm""#,
             expected: [AuthChallenge(scheme: "basic", parameters: ["realm": "Registry Realm"])]),
        Case(header: #"bEaReR realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
             expected: [AuthChallenge(scheme: "bearer", parameters: [
                 "realm": "https://auth.example/token", "service": "registry.example", "scope": "repository:a/b:pull,push"])]),
        Case(header: #"Bearer realm="https://a/t", scope="repository:a/b:pull repository:c/d:push""#,
             expected: [AuthChallenge(scheme: "bearer", parameters: ["realm": "https://a/t", "scope": "repository:a/b:pull repository:c/d:push"])]),
        Case(header: #"Basic realm="say \"hi\", then go", Bearer realm="https://a/t",service=reg"#,
             expected: [
                 AuthChallenge(scheme: "basic", parameters: ["realm": #"say "hi", then go"#]),
                 AuthChallenge(scheme: "bearer", parameters: ["realm": "https://a/t", "service": "reg"]),
             ]),
        Case(header: "Negotiate abc+/def==, Basic realm=x",
             expected: [
                 AuthChallenge(scheme: "negotiate", token68: "abc+/def=="),
                 AuthChallenge(scheme: "basic", parameters: ["realm": "x"]),
             ]),
        Case(header: "Negotiate, NTLM",
             expected: [AuthChallenge(scheme: "negotiate"), AuthChallenge(scheme: "ntlm")]),
        Case(header: "  Basic   REALM = \"r\" ,  ", expected: [AuthChallenge(scheme: "basic", parameters: ["realm": "r"])]),
        Case(header: "", expected: []),
    ]

    @Test("parses challenges, quoted strings with commas and escapes, token68 and several challenges", arguments: cases)
    func parses(_ testCase: Case) throws {
        #expect(try AuthChallenge.parse(testCase.header, from: "127.0.0.1:5000") == testCase.expected)
    }

    @Test("malformed headers fail with a one-line error naming the registry and the header", arguments: [
        #"Bearer realm="https://a/t"#,
        #"Bearer realm="#,
        #"Bearer realm="a" service="b""#,
        #"Bearer realm="a",realm="b""#,
        "=Basic",
        #"Basic realm="x\"#,
        "Negotiate abc== def",
    ])
    func rejectsMalformed(_ header: String) {
        #expect {
            try AuthChallenge.parse(header, from: "127.0.0.1:5000")
        } throws: { error in
            guard let error = error as? RegistryError, case .malformedChallenge = error else { return false }
            let text = error.description
            return text.contains("127.0.0.1:5000") && text.contains(header) && !text.contains("\n")
        }
    }

    @Test("the challenge's accessors read realm, service and the space-separated scopes")
    func accessors() throws {
        let challenge = try #require(try AuthChallenge.parse(
            #"Bearer realm="https://a/t",service="reg",scope="repository:a/b:pull repository:c:push""#, from: "r").first)
        #expect(challenge.realm == "https://a/t")
        #expect(challenge.service == "reg")
        #expect(challenge.scopes == ["repository:a/b:pull", "repository:c:push"])
    }
}

@Suite("Token scopes")
struct AuthScopeTests {
    @Test("scopes on one repository merge their actions; other repositories stay apart")
    func merges() {
        #expect(AuthScope.merge(["repository:news/app:pull", "repository:news/app:push"]) == ["repository:news/app:pull,push"])
        #expect(AuthScope.merge(["repository:news/app:pull", "repository:news/base:pull", "repository:news/app:push,pull"])
            == ["repository:news/app:pull,push", "repository:news/base:pull"])
        #expect(AuthScope.merge(["registry:catalog:*", "garbage"]) == ["registry:catalog:*", "garbage"])
    }

    @Test("a name with a colon (registry host with port) parses; coverage compares actions")
    func parsesAndCovers() throws {
        let scope = try #require(AuthScope(parsing: "repository:localhost:5000/app:pull,push"))
        #expect(scope.name == "localhost:5000/app")
        #expect(scope.actions == ["pull", "push"])
        #expect(scope.covers(.pull("localhost:5000/app")))
        #expect(!AuthScope.pull("x").covers(.push("x")))
        #expect(AuthScope(parsing: "nocolon") == nil)
    }
}
