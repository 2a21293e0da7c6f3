# scatter.gp DATA OUT TITLE YLABEL
# Downtime against total time in one case, a point per counted migration,
# both axes logarithmic: the trade-off read first.  A method's points share
# its family's colour and a point type of their own within the family.
# DATA is written by report-gen: one block per method, "total downtime".
# Variables: methods (block i is word i), blockfams, members (each block's
# family and place in it), member_pts (point types), ref_limit (the
# downtime limit, -1: none).  Writes OUT.png, OUT.svg.
reset
load plotscripts.'/common.gp'

n = words(methods)
set logscale xy
set format x '%g'
set format y '%g'
set xlabel 'total time (ms, log scale)'
set ylabel ARG4
set title ARG3
set grid xtics ytics lc rgb '#d0d0d0'
set key outside right top vertical
if (ref_limit > 0) { eval refline(2, ref_limit, 'downtime limit '.label_of(ref_limit), '#c03838') }
pt_of(i) = int(word(member_pts, (int(word(members, i)) - 1) % words(member_pts) + 1))

do for [out=1:2] {
	eval term_of(out, 1100, 600)
	set output ARG2.ext_of(out)
	plot for [i=1:n] ARG1 index (i - 1) using 1:2 with points lt int(word(blockfams, i)) \
		pt pt_of(i) ps 1.3 title word(methods, i)
	unset output
}
