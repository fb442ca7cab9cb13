// Served at /static/plugins/<plugin-name>/notes.js
export const notes = "notes";
