#!/usr/bin/env python3
"""Writes an OCI image layout for benchmarks and tests: one image of random
(incompressible) gzip layers, streamed, so a 1 GiB layer needs no memory.

Usage: random-image.py DIR TAG SIZE...   (layer sizes in bytes)
The image is tagged TAG in DIR/index.json (org.opencontainers.image.ref.name,
which may be a plain tag or a full reference, as gantry's store names images).
Prints the manifest digest's hex.
"""
import gzip, hashlib, io, json, os, sys, tarfile

out, tag, sizes = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)

class Hashing(io.RawIOBase):
    """A write-only file that hashes what passes through it."""
    def __init__(self, target):
        self.target, self.hash, self.size = target, hashlib.sha256(), 0
    def writable(self):
        return True
    def write(self, data):
        self.hash.update(data)
        self.size += len(data)
        return self.target.write(data)

class Random(io.RawIOBase):
    def __init__(self, size):
        self.left = size
    def readable(self):
        return True
    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = os.urandom(n)
        self.left -= n
        return n

def put(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}

layers, diff_ids = [], []
for number, size in enumerate(sizes):
    tmp = os.path.join(out, "layer.tmp")
    with open(tmp, "wb") as raw:
        compressed = Hashing(raw)
        with gzip.GzipFile(fileobj=compressed, mode="wb", compresslevel=1, mtime=0) as gz:
            uncompressed = Hashing(gz)
            with tarfile.open(fileobj=uncompressed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                info = tarfile.TarInfo(f"data/layer{number}.bin")
                info.size, info.mtime, info.mode = size, 0, 0o644
                tar.addfile(info, io.BufferedReader(Random(size), 1 << 20))
    digest = compressed.hash.hexdigest()
    os.rename(tmp, os.path.join(blobs, digest))
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": "sha256:" + digest, "size": compressed.size})
    diff_ids.append("sha256:" + uncompressed.hash.hexdigest())

config = put(json.dumps({
    "architecture": "amd64", "os": "linux",
    "config": {"Cmd": ["/bin/sh"]},
    "rootfs": {"type": "layers", "diff_ids": diff_ids},
}, sort_keys=True).encode())
manifest = put(json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
    "layers": layers,
}, sort_keys=True).encode())
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest,
        "annotations": {"org.opencontainers.image.ref.name": tag}}]}, f)
print(manifest["digest"][len("sha256:"):])
