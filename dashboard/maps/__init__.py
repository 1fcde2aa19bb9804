"""Every Leaflet/Folium piece: offline assets, the ward base map and the three pages' maps."""
