// GHZ state over two registers through a user gate with a parameter.
OPENQASM 2.0;
include "qelib1.inc";
gate ghz3(phase) a, b, c { h a; cx a, b; cx b, c; rz(phase) c; }
qreg a[1];
qreg b[2];
creg c[3];
ghz3(pi/3) a[0], b[0], b[1];
barrier a, b;
measure a[0] -> c[0];
measure b[0] -> c[1];
measure b[1] -> c[2];
