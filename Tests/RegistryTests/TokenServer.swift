import Foundation
import Testing

/// A token server for docker-registry's `auth.token`, in python3 with `cryptography`: it signs RS256
/// JWTs with a key whose self-signed certificate the registry trusts (`rootcertbundle`), putting the
/// certificate in the `x5c` header. User alice with the given password gets every action asked for;
/// anyone else gets none; asked with `offline_token=true`, alice also gets the refresh token "refresh-alice". POST handles the OAuth2 refresh_token grant for identity token "refresh-alice".
/// Every request's method, scopes and auth kind are appended to `requests.log`.
struct TokenServer {
    let port: Int
    let server: ServerProcess
    let certificate: String
    let log: String

    static let script = #"""
    import base64, datetime, json, sys, time, uuid
    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
    from urllib.parse import urlparse, parse_qs
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa, padding

    port, folder, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gantry-test-token-signer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    open(folder + "/token-signer.crt", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()

    def b64(data): return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def token(service, scopes, granted):
        access = []
        for scope in scopes:
            for one in scope.split(" "):
                kind, _, rest = one.partition(":")
                repo, _, actions = rest.rpartition(":")
                access.append({"type": kind, "name": repo, "actions": actions.split(",") if granted else []})
        header = {"alg": "RS256", "typ": "JWT", "x5c": [x5c]}
        t = int(time.time())
        claims = {"iss": "gantry-test-issuer", "sub": "alice" if granted else "", "aud": service, "exp": t + 300,
                  "nbf": t - 10, "iat": t, "jti": str(uuid.uuid4()), "access": access}
        signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
        signature = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing + "." + b64(signature)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def record(self, kind, scopes, query={}):
            entry = {"method": self.command, "auth": kind, "scopes": scopes}
            for name in ("offline_token", "client_id", "account"):
                if name in query: entry[name] = query[name][0]
            with open(folder + "/requests.log", "a") as log:
                log.write(json.dumps(entry) + "\n")
        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def do_GET(self):
            query = parse_qs(urlparse(self.path).query)
            auth = self.headers.get("Authorization", "")
            granted = auth == "Basic " + base64.b64encode(("alice:" + password).encode()).decode()
            if auth and not granted:
                self.record("wrong", query.get("scope", []))
                return self.answer(401, {"details": "wrong credentials"})
            self.record("basic" if granted else "anonymous", query.get("scope", []), query)
            body = {"token": token(query["service"][0], query.get("scope", []), granted), "expires_in": 300}
            # As Docker Hub's auth server: a login asking for offline access gets a refresh token.
            if granted and query.get("offline_token") == ["true"]: body["refresh_token"] = "refresh-alice"
            self.answer(200, body)
        def do_POST(self):
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())
            granted = form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == ["refresh-alice"]
            self.record("refresh" if granted else "bad-refresh", form.get("scope", []))
            if not granted: return self.answer(401, {"details": "bad refresh token"})
            self.answer(200, {"access_token": token(form["service"][0], form.get("scope", []), True), "expires_in": 300})

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#

    static func start(in folder: TemporaryFolder, password: String) async throws -> TokenServer {
        let port = try await freePort()
        let script = try folder.write("token-server.py", script)
        let server = try ServerProcess(try await pythonExecutable(), [script, "\(port)", folder.path, password], log: folder.appending("token-server.log"))
        try await waitForPort(port, server: server)
        return TokenServer(port: port, server: server, certificate: folder.appending("token-signer.crt"), log: folder.appending("requests.log"))
    }

    /// The token requests seen so far.
    func requests() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
