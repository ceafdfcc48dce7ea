"""What the benchmark reports say about the host: the CPU's name and its SIMD flags (every figure names the CPU
it came from). Shared by bench/compare and bench/serve."""
import subprocess
from pathlib import Path


def cpu_name():
    """The CPU model as lscpu names it, with family and model numbers."""
    script = ("lscpu | awk -F': *' '/^Model name/{n=$2} /^CPU family/{f=$2} /^Model:/{m=$2} "
              "END{printf \"%s (family %s model %s)\", n, f, m}'")
    return subprocess.run(script, shell=True, capture_output=True, text=True).stdout.strip() or "unknown"


def cpu_simd_flags():
    """The host CPU's SIMD flags (x86 /proc/cpuinfo, or ARM64 Features), for the report's machine line."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    line = next((l for l in text.splitlines() if l.startswith(("flags", "Features"))), "")
    keep = ("avx", "fma", "f16c", "sse4_2", "asimd", "fphp", "sve", "i8mm", "bf16")
    return " ".join(sorted({f for f in line.split(":", 1)[-1].split() if f.startswith(keep)})) or "unknown"
