fn main() -> std::process::ExitCode {
    outboxctl::run()
}
