import FuzzSupport

/// See ``FuzzBodies`` (docs/FUZZING.md).
@_cdecl("FuzzKeys_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return fuzz(argc, argv) { bytes in FuzzBodies.keys(bytes) }
}
