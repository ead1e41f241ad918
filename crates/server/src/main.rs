fn main() -> std::process::ExitCode {
    reformwatch::cli::main()
}
