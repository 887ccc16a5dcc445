import Testing
@testable import SynprefTraining
