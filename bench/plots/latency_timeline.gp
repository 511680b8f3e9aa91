# Latency of each sample against its send time, from depositd-loadgen
# --samples-csv files a (and b), to line spikes up with periodic work such
# as checkpoints.
#   gnuplot -e "a='s.csv'" -e "alabel='idle'" -e "out='x.png'" \
#           -e "title_text='...'" bench/plots/latency_timeline.gp
if (!exists("title_text")) title_text = 'Latency over time'
set datafile separator ','
set terminal pngcairo size 900,480 font 'DejaVu Sans,10'
set output out
set title title_text
set xlabel 'seconds since the first event'
set ylabel 'latency (ms)'
set logscale y
set grid
set key top left
cmd = "plot a every ::1 using 1:2 with points pt 7 ps 0.3 title alabel"
if (exists("b")) cmd = cmd . ", b every ::1 using 1:2 with points pt 7 ps 0.3 title blabel"
eval cmd
