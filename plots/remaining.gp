# remaining.gp DATA OUT TITLE YLABEL
# Remaining RAM against time since the migrate command (log axis: methods
# differ 100x), a panel per method family, every counted migration drawn
# thin in its method's colour, a dot where a pass over the dirty bitmap
# starts (dirty-sync-count rises).  DATA is written by report-gen: one block
# per migration, "t_ms remaining pass_start", grouped by family.
# Variables: panelnames, panel_first, panel_last (each panel's first and
# last block, from 1), block_titles (the method for a method's first block,
# '-' for the rest), block_members (the method's colour in its panel).
# Writes OUT.png and OUT.svg.
reset
load plotscripts.'/common.gp'

np = words(panelnames)
cols = np > 3 ? 3 : np
rows = int((np + cols - 1) / cols)
set logscale x
set format x '%g'
set xlabel 'time since migrate (ms, log scale)'
set ylabel ARG4
set yrange [0:*]
set key inside top right vertical samplen 1 font ',9'
lt_of(b) = 10 + int(word(block_members, b))
title_of(b) = word(block_titles, b) eq '-' ? '' : word(block_titles, b)

do for [out=1:2] {
	eval term_of(out, 1200, 360 * rows)
	set output ARG2.ext_of(out)
	set multiplot layout rows, cols title ARG3.' (dots: a pass over the dirty bitmap starts)'
	do for [p=1:np] {
		set title word(panelnames, p)
		b0 = int(word(panel_first, p))
		b1 = int(word(panel_last, p))
		plot for [b=b0:b1] ARG1 index (b - 1) using 1:2 with lines lt lt_of(b) lw 1 \
			title title_of(b), \
		     for [b=b0:b1] ARG1 index (b - 1) using 1:3 with points lt lt_of(b) pt 7 ps 0.45 notitle
	}
	unset multiplot
	unset output
}
