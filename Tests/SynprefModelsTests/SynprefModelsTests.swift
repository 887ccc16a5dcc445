import Testing
@testable import SynprefModels
