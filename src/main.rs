fn main() -> std::process::ExitCode {
    outboxctl::run_with_large_stack()
}
