// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "gantry",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gantry", targets: ["gantry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // The module stack of DESIGN.md, dependencies pointing down only.
        .target(name: "ImageModel"),
        .target(name: "Archive", dependencies: ["CArchive", "CZlib", "ImageModel", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Store", dependencies: ["ImageModel", "Archive"]),
        .target(name: "Registry", dependencies: ["CCurl", "ImageModel", "Store", "Archive"]),
        .target(name: "Beanstalk", dependencies: ["ImageModel", "Archive"]),
        .target(name: "Engines", dependencies: ["ImageModel", "Store", "Archive"]),
        .target(name: "Builder", dependencies: ["ImageModel", "Archive", "Store", "Scaffold", "Engines", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Scaffold",
            dependencies: ["ImageModel", "Archive", .product(name: "Yams", package: "Yams")],
            plugins: ["EmbedResources"]
        ),
        .executableTarget(
            name: "gantry",
            dependencies: [
                "ImageModel", "Archive", "Store", "Registry", "Beanstalk", "Engines", "Builder", "Scaffold",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Embeds BaseImages/ and Makefile.template into the Scaffold module,
        // so the binary finds its templates wherever it runs from.
        .executableTarget(name: "EmbedResourcesTool", path: "Sources/EmbedResourcesTool"),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["EmbedResourcesTool"]),

        .testTarget(name: "ImageModelTests", dependencies: ["ImageModel"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "ImageModel"]),
        .testTarget(name: "ScaffoldTests", dependencies: ["Scaffold", "ImageModel"]),
        .testTarget(name: "CLITests", dependencies: ["Scaffold", "Beanstalk", "Archive"]),
        .testTarget(name: "BeanstalkTests", dependencies: ["Beanstalk", "Archive"], exclude: ["Golden"]),
        .testTarget(name: "BuilderTests", dependencies: ["Builder", "Archive", "ImageModel", "Scaffold", "Store"]),
        .testTarget(name: "EnginesTests", dependencies: ["Engines"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "ImageModel"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "ImageModel", "Store", .product(name: "Crypto", package: "swift-crypto")]),
    ],
    swiftLanguageModes: [.v6]
)
