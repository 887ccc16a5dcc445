import Testing
@testable import SynprefEval
