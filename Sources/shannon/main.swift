// The `shannon` executable: every command lives in ShannonCLI, where tests can reach it.
import ShannonCLI

Shannon.main()
