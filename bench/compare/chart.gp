# p99 latency (log y) vs delivered updates/s in the fan-out mode, one line per server.
# gnuplot -e "outfile='latency.png'; files='a.dat b.dat'; titles='Zeal y-websocket'; styles='1 2'; subtitle='...'" chart.gp
# Each data file: "delivered_per_s p99_ms" per rate step (medians over the runs).
if (!exists("outfile")) outfile = 'latency.png'
if (!exists("subtitle")) subtitle = ''
if (!exists("styles")) styles = '1 2 3'
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
  set terminal pngcairo size 900,540 enhanced font 'sans,10'
} else {
  set terminal png size 900,540
}
set output outfile
set title "Fan-out (100 rooms x 10 clients, 1 sender per room): p99 latency vs delivered updates/s\n{/*0.8 ".subtitle."}"
set xlabel 'delivered updates/s (median over runs)'
set ylabel 'p99 latency, ms (log)'
set logscale y
set format x '%.0s%c'
set grid xtics ytics mytics
set key top left box opaque
set xrange [0:*]
set style line 1 lc rgb '#1b9e77' lw 2 pt 7 ps 1.2
set style line 2 lc rgb '#d95f02' lw 2 pt 5 ps 1.2
set style line 3 lc rgb '#7570b3' lw 2 pt 9 ps 1.2
set style line 4 lc rgb '#888888' lw 1 dt 2
# the generator's pass criterion
set arrow 1 from graph 0, first 50 to graph 1, first 50 nohead ls 4
set label 1 'p99 limit 50 ms' at graph 0.99, first 43 right tc rgb '#666666'
plot for [i = 1:words(files)] word(files, i) using 1:2 with linespoints ls int(word(styles, i)) title word(titles, i)
