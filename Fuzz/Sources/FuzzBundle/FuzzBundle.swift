import FuzzSupport

/// See ``FuzzBodies`` (docs/FUZZING.md).
@_cdecl("FuzzBundle_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return fuzz(argc, argv) { bytes in FuzzBodies.bundle(bytes, reference: FuzzFixtures.reference) }
}
