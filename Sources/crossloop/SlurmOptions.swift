import ArgumentParser

/// Where and how long SLURM runs each task of a job array: the options `sweep --slurm` and
/// `check --slurm` share.
struct SlurmOptions: ParsableArguments {
    @Option(help: ArgumentHelp("SLURM partition. Default: the cluster's default.", valueName: "P"))
    var partition: String?

    @Option(name: .customLong("time"), help: ArgumentHelp("SLURM time limit per task, e.g. 30:00. Default: the partition's.", valueName: "limit"))
    var timeLimit: String?

    /// Whether either is given (they apply to --slurm only).
    var isGiven: Bool { partition != nil || timeLimit != nil }
}
