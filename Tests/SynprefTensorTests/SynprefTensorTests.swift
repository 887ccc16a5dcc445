import Testing
@testable import SynprefTensor
