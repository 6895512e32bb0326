"""Run every benchmark in this folder and print their figures (``make bench``)."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}")
        status |= subprocess.run([sys.executable, str(script), *sys.argv[1:]]).returncode
    sys.exit(status)
