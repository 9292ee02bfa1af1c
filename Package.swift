// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Crossloop",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "crossloop", targets: ["crossloop"]),
        .library(name: "Netlist", targets: ["Netlist"]),
        .library(name: "Ngspice", targets: ["Ngspice"]),
        .library(name: "Reference", targets: ["Reference"]),
        .library(name: "CircuitTheory", targets: ["CircuitTheory"]),
        .library(name: "MatrixFiles", targets: ["MatrixFiles"]),
        .library(name: "Circuits", targets: ["Circuits"]),
        .library(name: "Specification", targets: ["Specification"]),
        .library(name: "Characterization", targets: ["Characterization"]),
        .library(name: "Verification", targets: ["Verification"]),
        .library(name: "Sweeps", targets: ["Sweeps"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Workloads", targets: ["Workloads"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // YAML: sweep files and plans (the CLI turns them into the JSON tree the libraries
        // read) and the block descriptions of user subcircuits (Circuits).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // `swift package generate-documentation`: builds the DocC catalogs of the library
        // modules (the Theory article lives in CircuitTheory's). A plugin only; nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: Implementation details: C boundaries
        .systemLibrary(
            name: "CNgspice",
            pkgConfig: "ngspice",
            providers: [.apt(["libngspice0-dev", "ngspice"])]
        ),
        .systemLibrary(
            name: "CLapack",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]
        ),

        // MARK: Public API, in the order of the flow
        // Problem -> Mapping -> Design -> Deck -> Engine run -> Readout -> Verdict -> Report
        .target(name: "Reports"),
        .target(name: "Netlist"),
        .target(
            name: "Ngspice",
            dependencies: [
                "CNgspice", "Netlist",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Reference", dependencies: ["CLapack"]),
        .target(name: "CircuitTheory", dependencies: ["Reference", "Reports"]),
        .target(name: "MatrixFiles", dependencies: ["Reference"]),
        // Yams reads the block descriptions of the designer's own subcircuits.
        .target(name: "Circuits", dependencies: ["Netlist", "CircuitTheory", "Reference", "Reports",
                                                 .product(name: "Yams", package: "Yams")]),
        .target(name: "Specification", dependencies: ["Netlist", "Reference", "CircuitTheory", "Circuits", "Reports"]),
        .target(name: "Characterization", dependencies: ["Netlist", "Ngspice", "Circuits", "Reports"]),
        .target(
            name: "Verification",
            dependencies: [
                "Netlist", "Ngspice", "CircuitTheory", "Reference", "Circuits", "Specification", "Characterization", "Reports",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Sweeps",
            dependencies: ["Netlist", "Ngspice", "CircuitTheory", "Reference", "MatrixFiles", "Circuits", "Specification",
                           "Characterization", "Verification", "Reports"]
        ),
        .target(name: "Workloads", dependencies: ["Verification", "Specification", "CircuitTheory", "Reference", "Circuits", "Ngspice", "Reports"]),

        // MARK: The command-line tool
        .executableTarget(
            name: "crossloop",
            dependencies: [
                "Netlist", "Ngspice", "CircuitTheory", "Reference", "MatrixFiles", "Circuits", "Specification",
                "Characterization", "Verification", "Sweeps", "Workloads", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // MARK: Unit test bundles
        .testTarget(name: "NetlistTests", dependencies: ["Netlist"], exclude: ["Golden"]),
        .testTarget(name: "NgspiceTests", dependencies: ["Ngspice", "Netlist"]),
        // Checks written independently of the code they test, shared by the test bundles.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ReferenceTests", dependencies: ["CircuitTheory", "Reference", "TestSupport"]),
        .testTarget(name: "MatrixFilesTests", dependencies: ["MatrixFiles", "Reference"]),
        .testTarget(name: "CircuitsTests", dependencies: ["Circuits", "Netlist", "CircuitTheory", "Reference"]),
        .testTarget(
            name: "VerificationTests",
            dependencies: ["Verification", "Sweeps", "Characterization", "Specification", "Circuits", "CircuitTheory",
                           "Reference", "Ngspice", "Netlist", "Reports"]
        ),
        .testTarget(name: "WorkloadsTests", dependencies: ["Workloads", "Verification", "Specification", "CircuitTheory", "Reference", "Circuits", "Ngspice", "Reports"]),
        .testTarget(name: "SpecificationTests", dependencies: ["Specification", "Circuits", "CircuitTheory"]),
        .testTarget(name: "CrossloopCLITests", dependencies: ["TestSupport"], exclude: ["Compatibility"]),
    ],
    swiftLanguageModes: [.v6]
)
