import Foundation
import LedgerCore

#if canImport(Glibc)
    import Glibc
#endif

/// What the file system charges for a site, whatever makes it: every file of a tree created again, with its size, in
/// a new directory of the same file system (`open(O_CREAT|O_EXCL)`, one `write` of zeros, `close`), then one
/// `syncfs`, as `grant-ledger publish` does. Nothing is rendered or read but the sizes; run as a child process
/// (`--child-write-like SOURCE TARGET`), timed like every figure.
enum FilesFloor {
    static func write(like source: String, into target: String) throws {
        guard let walk = FileManager.default.enumerator(atPath: source) else {
            throw BenchFailure("cannot read \(source)")
        }
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        var files: [(path: String, size: Int)] = []
        var directories: [String] = []
        while let path = walk.nextObject() as? String {
            let type = walk.fileAttributes?[.type] as? FileAttributeType
            if type == .typeDirectory {
                directories.append(path)
            } else if type == .typeRegular {
                files.append((path, (walk.fileAttributes?[.size] as? NSNumber)?.intValue ?? 0))
            }
        }
        let zeros = [UInt8](repeating: 0, count: files.map(\.size).max() ?? 0)
        for directory in directories where mkdir(target + "/" + directory, 0o755) != 0 {
            throw BenchFailure("cannot create \(target)/\(directory)")
        }
        var bytes = 0
        for file in files {
            let fd = open(target + "/" + file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BenchFailure("cannot create \(target)/\(file.path)") }
            let written = zeros.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, file.size) }
            close(fd)
            guard written == file.size else { throw BenchFailure("cannot write \(target)/\(file.path)") }
            bytes += file.size
        }
        guard let syncFileSystem = Platform.syncFileSystem else { throw BenchFailure("no syncfs(2) here") }
        let root = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0, syncFileSystem(root) == 0 else { throw BenchFailure("cannot sync \(target)") }
        close(root)
        print("files=\(files.count) bytes=\(bytes)")
    }
}
