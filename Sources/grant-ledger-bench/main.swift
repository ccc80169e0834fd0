import GrantDomain
import LedgerCore

#if canImport(Glibc)
    import Glibc
#endif

// grant-ledger-bench: builds a ledger of N signed entries in a temporary directory, times appends and
// verification, compares with `openssl speed ed25519`, and prints one JSON object. See docs/PERFORMANCE.md.

let options = BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))

if options.service {
    do { try ServiceBench.run(options: options) } catch {
        printError("grant-ledger-bench: \(error)")
        exit(1)
    }
    exit(0)
}

func runBench<Domain: DomainRules>(_ bench: Bench<Domain>) {
    do {
        if let directory = options.childVerify {
            // The allocator setting of the command-line tool, whose verification this child stands for.
            Platform.useOneAllocatorArena()
            try bench.childMain(directory: directory)
        } else if options.tiles {
            try bench.runTiles()
        } else {
            try bench.run()
        }
    } catch {
        printError("grant-ledger-bench: \(error)")
        exit(1)
    }
}

if let (source, target) = options.childWriteLike {
    do { try FilesFloor.write(like: source, into: target) } catch {
        printError("grant-ledger-bench: \(error)")
        exit(1)
    }
    exit(0)
}

if let ledger = options.childSignaturesFloor {
    do { try SignaturesFloor.run(ledger: ledger, threads: options.workers) } catch {
        printError("grant-ledger-bench: \(error)")
        exit(1)
    }
    exit(0)
}

if let (result, command) = options.childRun {
    do { try ChildRun.runnerMain(result: result, timeout: options.timeout, arguments: command) } catch {
        printError("grant-ledger-bench: \(error)")
        exit(1)
    }
    exit(0)
}

if options.grantCorpus {
    if options.childVerify != nil {
        runBench(Bench(options: options, makeDomain: { GrantRules() }, makeIntegrityDomain: { GrantRules() }))
    } else {
        do { try GrantBench(options: options).run() } catch {
            printError("grant-ledger-bench: \(error)")
            exit(1)
        }
    }
    exit(0)
}

switch options.corpus {
case .keys: runBench(Bench(options: options, makeDomain: { NoDomainRules() }, makeIntegrityDomain: { NoDomainRules() }))
case .events:
    runBench(
        Bench(
            options: options, makeDomain: { BenchDomain() }, makeIntegrityDomain: { BenchDomain(readsPayloads: false) })
    )
}
