/* Our messages in the editor, in Indonesian: checks beside the fields and the preview's notes. */
export const MESSAGES = {
  requiredInClosure: "%{label} wajib diisi untuk penutupan.",
  oneOfBoth: "Isi salah satu saja: jumlah hari atau hari terakhir tutup. Kosongkan yang lain.",
  oneOfNeither: "Isi jumlah hari tutup, atau kosongkan ini dan isi hari terakhir tutup.",
  lastBeforeFirst: "Hari terakhir tutup lebih awal dari hari pertama. Periksa tanggal, bulan dan tahunnya.",
  tooLong: "Penutupan lebih dari %{max} hari; periksa tahunnya.",
  previewIncomplete:
    "Lengkapi kantor yang tutup, hari pertama, dan jumlah hari atau hari terakhir untuk melihat pemberitahuan penutupan.",
  previewPlain: "Ini pengumuman biasa (bagian penutupan kosong): status kantor tidak berubah.",
};
